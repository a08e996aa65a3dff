import { closeSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EvaluatedExchange, RuleRef, Summary, VendorRun } from '../src/types';
import { describeRule, jsonExchangeText, jsonHeadText, jsonTrailerText, rulesOf, type RuleMap } from './json';
import { junitExchangeText, suiteFrame, testsuitesOpen, TESTSUITES_CLOSE, XML_DECLARATION } from './junit';

/**
 * Reports written while a run streams (`errspec check` on a large HAR, a long proxy session): the
 * same writers as renderJson and renderJunit (reporters/json.ts, reporters/junit.ts), piece by piece,
 * without holding the run. Each exchange's text goes straight into the report's temporary file as it
 * comes; the file is synced once and renamed over the target at the end (so readers never see half a
 * report), or removed when the run does not complete.
 */

/** A run without its exchanges: what a streamed report needs besides them. */
export interface RunHead extends Omit<VendorRun, 'exchanges'> {
  /** The run's totals as `runSummary` counts them. */
  summary: Summary;
}

export { jsonExchangeText } from './json';
export { junitExchangeText } from './junit';

/** How much exchange text is gathered before one write. */
const FLUSH_BYTES = 1 << 20;

/** Temporary files of reports being written, removed on SIGINT/SIGTERM by `abortAll` (`errspec check` calls it). */
const open = new Set<StreamedReport>();

/** Remove the temporary file of every report still being written: an interrupted run leaves no hidden `.part` files. */
export function abortAllStreamedReports(): void {
  for (const report of [...open]) report.abort();
}

interface Format {
  /** What goes before the exchanges, known when the report starts (JSON) or reserved to be overwritten (JUnit). */
  start(): string;
  /** What goes before the exchanges, once the run is over: null when start() was already final. */
  head(head: RunHead): string | null;
  /** What follows the exchanges. */
  tail(head: RunHead, added: number, rules: RuleMap): string;
  separator: string;
  /** Before the first exchange. */
  lead: string;
  /** The final head widened by `room` bytes of white space, to overwrite the reserved one in place. */
  pad(final: string, room: number): string;
}

/** The JSON report: head known at the start (tool, vendor, target, source, startedAt), totals and rules after the exchanges. */
function jsonFormat(known: Partial<RunHead>): Format {
  let started: string | undefined;
  return {
    // A timestamp has one length: a placeholder leaves room for the run's own.
    start: () => (started = jsonHeadText({ source: 'har', startedAt: '2026-01-01T00:00:00.000Z', vendor: '', target: '', ...known })),
    head: (head) => {
      const final = jsonHeadText(head);
      return final === started ? null : final;
    },
    tail: (head, added, rules) => jsonTrailerText(head, added > 0, rules),
    // JSON allows white space between any two tokens: after the opening brace.
    pad: (final, room) => `{${' '.repeat(room)}${final.slice(1)}`,
    separator: ',\n',
    lead: '\n',
  };
}

/** Placeholder totals wider than any real ones: the reserved head is overwritten in place, padded with spaces inside its tags. */
const WIDEST: Summary = { exchanges: 1e11, checks: 1e11, passed: 1e11, failed: 1e11, warnings: 1e11, skipped: 1e11, errors: 1e11 };

function junitHeadText(head: RunHead): string {
  const s = head.summary;
  const frame = suiteFrame(head, 0);
  return `${XML_DECLARATION}${testsuitesOpen({ tests: s.checks, failures: s.failed, errors: s.errors, seconds: head.durationMs / 1000 })}\n${frame.open}\n`;
}

function junitFormat(known: Partial<RunHead> & { vendor: string }): Format {
  const reserved = (): RunHead => ({
    vendor: known.vendor, title: '', target: known.target ?? '', source: known.source ?? 'har', startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1e14, strict: false, summary: WIDEST, ...(known.unreachable ? { unreachable: known.unreachable } : {}),
    // Every documented code both observed and never observed: longer than any run's coverage properties.
    ...(known.coverage ? { coverage: { documented: known.coverage.documented, observed: known.coverage.documented, never: known.coverage.documented } } : {}),
  });
  return {
    start: () => junitHeadText(reserved()),
    head: junitHeadText,
    tail: (head, added) => `${added > 0 ? '\n' : ''}${suiteFrame(head, 0).close}${TESTSUITES_CLOSE}`,
    pad: (final, room) => {
      // Spaces before the `>` of the first element after the declaration: white space XML allows inside a tag.
      const at = final.indexOf('>', final.indexOf('?>') + 2);
      return `${final.slice(0, at)}${' '.repeat(room)}${final.slice(at)}`;
    },
    separator: '\n',
    lead: '',
  };
}

/**
 * One report being streamed to a file (written atomically at the end, like writeFileAtomic) or to a
 * stream (`--json -`). Call add() (or addText() and addRules()) per exchange, then finish() with the
 * run's head, or abort().
 */
export class StreamedReport {
  private readonly part: string;
  private fd: number | undefined;
  /** Exchange text encoded as it comes, written when full: no joined string and no Buffer per write. */
  private readonly buffer = Buffer.allocUnsafe(FLUSH_BYTES);
  private buffered = 0;
  /** Texts added. */
  private added = 0;
  /** Bytes of the file before the first exchange. */
  private readonly startBytes: number;
  private readonly rules: RuleMap = {};

  private constructor(
    private readonly target: string | NodeJS.WritableStream,
    private readonly format: Format,
    private readonly text: (e: EvaluatedExchange) => string,
  ) {
    const dir = typeof target === 'string' ? path.dirname(path.resolve(target)) : os.tmpdir();
    mkdirSync(dir, { recursive: true });
    this.part = path.join(dir, `.${typeof target === 'string' ? path.basename(target) : 'errspec-report'}.${process.pid}.${Date.now()}.part`);
    this.fd = openSync(this.part, 'w');
    open.add(this);
    const start = Buffer.from(format.start(), 'utf8');
    writeBytes(this.fd, start, null);
    this.startBytes = start.length;
  }

  /** The JSON report of one run (`target` a file, or a stream for `--json -`); `known`: the head's fields known before the run. */
  static json(target: string | NodeJS.WritableStream, known: Partial<RunHead> = {}): StreamedReport {
    return new StreamedReport(target, jsonFormat(known), jsonExchangeText);
  }

  /**
   * The JUnit report of one vendor's run; `known`: the head's fields known before the run (the target, and the
   * coverage's documented codes, to reserve room for them: a head that outgrows its room costs a copy of the report).
   */
  static junit(target: string, vendor: string, known: Partial<RunHead> = {}): StreamedReport {
    return new StreamedReport(target, junitFormat({ ...known, vendor }), (e) => junitExchangeText(vendor, e));
  }

  add(exchange: EvaluatedExchange): void {
    this.addText(this.text(exchange));
    this.addRules(rulesOf([exchange]));
  }

  /** An exchange's text as jsonExchangeText or junitExchangeText made it (perhaps on another thread). */
  addText(text: string): void {
    // An exchange without findings has no testcase in JUnit: nothing to separate.
    if (text === '' || this.fd === undefined) return;
    this.put(this.added > 0 ? this.format.separator : this.format.lead);
    this.put(text);
    this.added++;
  }

  /** Encode a text into the buffer (a UTF-16 unit is at most 3 bytes of UTF-8), writing the buffer out when it may not fit. */
  private put(text: string): void {
    if (this.buffered + text.length * 3 > FLUSH_BYTES) {
      this.flush();
      if (text.length * 3 > FLUSH_BYTES) {
        writeAll(this.fd!, text);
        return;
      }
    }
    this.buffered += this.buffer.write(text, this.buffered, 'utf8');
  }

  /** Rules the added exchanges' findings cite: described once, in the JSON report's `rules` map. */
  addRules(rules: Iterable<RuleRef> | RuleMap): void {
    if (Symbol.iterator in rules) {
      for (const rule of rules as Iterable<RuleRef>) if (!(rule.id in this.rules)) this.rules[rule.id] = describeRule(rule);
    } else {
      for (const [id, rule] of Object.entries(rules)) if (!(id in this.rules)) this.rules[id] = rule;
    }
  }

  private flush(): void {
    if (this.buffered === 0 || this.fd === undefined) return;
    writeBytes(this.fd, this.buffer.subarray(0, this.buffered), null);
    this.buffered = 0;
  }

  /** Write the report: head, the exchanges in the order added, tail. */
  finish(head: RunHead): void {
    this.flush();
    if (this.fd === undefined) throw new Error('the report was aborted');
    try {
      writeAll(this.fd, this.format.tail(head, this.added, this.rules));
      const final = this.format.head(head);
      let file = this.part;
      if (final !== null) file = this.rewriteHead(final);
      if (typeof this.target === 'string') {
        if (this.fd !== undefined) {
          fsyncSync(this.fd);
          closeSync(this.fd);
          this.fd = undefined;
        }
        renameSync(file, this.target);
      } else {
        this.copyTo(file, this.target);
      }
    } finally {
      this.abort();
    }
  }

  /** Put the final head in place: over the reserved one, padded inside its first tag, or (longer than reserved) in a new file. */
  private rewriteHead(final: string): string {
    const bytes = Buffer.from(final, 'utf8');
    const room = this.startBytes - bytes.length;
    if (room >= 0) {
      writeBytes(this.fd!, Buffer.from(this.format.pad(final, room), 'utf8'), 0);
      return this.part;
    }
    // A head that outgrew its room (a long unreachable message): copy the exchanges after it once.
    const other = `${this.part}.head`;
    const out = openSync(other, 'w');
    try {
      writeBytes(out, bytes, null);
      closeSync(this.fd!);
      this.fd = undefined;
      copyFile(this.part, this.startBytes, (buffer, length) => writeBytes(out, buffer.subarray(0, length), null));
      fsyncSync(out);
    } finally {
      closeSync(out);
    }
    rmSync(this.part, { force: true });
    renameSync(other, this.part);
    return this.part;
  }

  private copyTo(file: string, stream: NodeJS.WritableStream): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    // The read buffer is reused: a stream that writes later needs its own copy.
    copyFile(file, 0, (buffer, length) => stream.write(Buffer.from(buffer.subarray(0, length))));
  }

  /** Drop the temporary file: a run that did not complete writes no report. */
  abort(): void {
    open.delete(this);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.part, { force: true });
  }
}

function copyFile(file: string, from: number, write: (buffer: Buffer, length: number) => void): void {
  const input = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let position = from;
    for (let read = readSync(input, buffer, 0, buffer.length, position); read > 0; read = readSync(input, buffer, 0, buffer.length, position)) {
      write(buffer, read);
      position += read;
    }
  } finally {
    closeSync(input);
  }
}

/** Write all of a text's UTF-8 bytes at the file's current position. */
export function writeAll(fd: number, text: string): void {
  writeBytes(fd, Buffer.from(text, 'utf8'), null);
}

/** Write all bytes at `position` (null: at the file's current position). */
function writeBytes(fd: number, bytes: Buffer, position: number | null): void {
  for (let offset = 0; offset < bytes.length; ) {
    offset += writeSync(fd, bytes, offset, bytes.length - offset, position === null ? null : position + offset);
  }
}
