import { targetKindOf } from './target';
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { writeFileAtomicWith } from '../src/util/write-atomic';
import os from 'node:os';
import path from 'node:path';
import type { EvaluatedExchange, Summary, VendorRun } from '../src/types';
import { jsonExchange, jsonReport } from './json';
import { details, xmlSafe } from './junit-text';
import { coverageProperties } from './coverage';

/**
 * Reports written while a run streams (`errspec check` on a large HAR), byte for byte what
 * renderJson and renderJunit write for the same run, without holding the run: each exchange's
 * text goes to a part file as it comes, and the head, which carries the run's totals, is written
 * before it once the run is over.
 */

/** A run without its exchanges: what a streamed report needs besides them. */
export interface RunHead extends Omit<VendorRun, 'exchanges'> {
  /** The run's totals as `runSummary` counts them. */
  summary: Summary;
}

/** What goes around the exchanges of a one-run report; `empty` is the whole report of a run without any. */
interface Frame {
  before: string;
  after: string;
  empty: string;
}

/** An exchange of a one-run JSON report, as renderJson indents it inside `exchanges`. */
export function jsonExchangeText(exchange: EvaluatedExchange): string {
  return `    ${JSON.stringify(jsonExchange(exchange), null, 2).replace(/\n/g, '\n    ')}`;
}

function jsonFrame(head: RunHead): Frame {
  const report = jsonReport({ ...head, exchanges: [] });
  report.summary = head.summary;
  const empty = `${JSON.stringify(report, null, 2)}\n`;
  const tail = '"exchanges": []\n}\n';
  // jsonReport keeps exchanges last; if that ever changes, this must too.
  if (!empty.endsWith(tail)) throw new Error('the JSON report no longer ends with its exchanges');
  return { before: `${empty.slice(0, -tail.length)}"exchanges": [\n`, after: '\n  ]\n}\n', empty };
}

const escapeText = (text: string): string => text.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const escapeAttribute = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));

/** An element as xmlbuilder2 pretty-prints it: attributes in order, text inline, empty elements self-closed. */
function element(indent: string, name: string, attributes: [string, string][], text?: string): string {
  const attrs = attributes.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('');
  return text === undefined || text === '' ? `${indent}<${name}${attrs}/>` : `${indent}<${name}${attrs}>${escapeText(text)}</${name}>`;
}

/** The testcases of one exchange in a JUnit report, as renderJunit writes them. */
export function junitExchangeText(vendor: string, exchange: EvaluatedExchange): string {
  const classname = xmlSafe(vendor);
  const cases: string[] = [];
  exchange.findings.forEach((f, i) => {
    // renderJunit puts the request's time on the first check of an exchange.
    const attributes: [string, string][] = [['classname', classname], ['name', xmlSafe(`${exchange.id} > ${f.check}`)], ['time', (i === 0 ? (exchange.durationMs ?? 0) / 1000 : 0).toFixed(3)]];
    let child: string | undefined;
    if (f.outcome === 'fail') child = element('      ', 'failure', [['message', xmlSafe(f.message)], ['type', f.check]], details(exchange, f));
    else if (f.outcome === 'error') child = element('      ', 'error', [['message', xmlSafe(f.message)], ['type', 'transport']], details(exchange, f));
    else if (f.outcome === 'skip') child = element('      ', 'skipped', [], xmlSafe(f.message));
    else if (f.outcome === 'warn') child = element('      ', 'system-out', [], xmlSafe(`warning: ${details(exchange, f)}`));
    cases.push(child === undefined ? element('    ', 'testcase', attributes) : `${element('    ', 'testcase', attributes).slice(0, -2)}>\n${child}\n    </testcase>`);
  });
  return cases.join('\n');
}

function junitFrame(head: RunHead): Frame {
  // The run's one summary (`runSummary`: an unreachable target already counts as one check and one error).
  const s = head.summary;
  const seconds = (head.durationMs / 1000).toFixed(3);
  const tests = String(s.checks);
  const errors = String(s.errors);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `${element('', 'testsuites', [['name', 'errspec'], ['tests', tests], ['failures', String(s.failed)], ['errors', errors], ['time', seconds]]).slice(0, -2)}>`,
    `${element('  ', 'testsuite', [
      ['name', xmlSafe(head.vendor)], ['id', '0'], ['package', 'errspec'], ['hostname', 'localhost'],
      ['timestamp', head.startedAt.replace(/(\.\d+)?Z$/, '')], ['tests', tests], ['failures', String(s.failed)], ['errors', errors],
      ['skipped', String(s.skipped)], ['time', seconds],
    ]).slice(0, -2)}>`,
    '    <properties>',
    element('      ', 'property', [['name', 'target'], ['value', xmlSafe(head.target)]]),
    element('      ', 'property', [['name', 'target-kind'], ['value', targetKindOf(head)]]),
    element('      ', 'property', [['name', 'source'], ['value', head.source]]),
    ...coverageProperties(head.coverage).map(([name, value]) => element('      ', 'property', [['name', name], ['value', xmlSafe(value)]])),
    '    </properties>',
  ];
  if (head.unreachable) {
    const attributes: [string, string][] = [['classname', xmlSafe(head.vendor)], ['name', 'target > reachable'], ['time', '0.000']];
    lines.push(`${element('    ', 'testcase', attributes).slice(0, -2)}>`, element('      ', 'error', [['message', xmlSafe(head.unreachable)], ['type', 'unreachable']], xmlSafe(head.unreachable)), '    </testcase>');
  }
  const before = `${lines.join('\n')}\n`;
  const after = '\n  </testsuite>\n</testsuites>\n';
  return { before, after, empty: `${before.slice(0, -1)}${after}` };
}

/** How much exchange text is gathered before one write. */
const FLUSH_BYTES = 1 << 20;

/**
 * One report being streamed to a file (written atomically at the end, like writeFileAtomic) or to a
 * stream (`--json -`). Call add() per exchange, then finish() with the run's head, or abort().
 */
export class StreamedReport {
  private readonly part: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Texts added, and of those already in the part file. */
  private added = 0;
  private written = 0;

  private constructor(
    private readonly target: string | NodeJS.WritableStream,
    private readonly frame: (head: RunHead) => Frame,
    private readonly text: (e: EvaluatedExchange) => string,
    private readonly separator: string,
  ) {
    const dir = typeof target === 'string' ? path.dirname(path.resolve(target)) : os.tmpdir();
    mkdirSync(dir, { recursive: true });
    this.part = path.join(dir, `.${typeof target === 'string' ? path.basename(target) : 'errspec-report'}.${process.pid}.${Date.now()}.part`);
    this.fd = openSync(this.part, 'w');
  }

  /** The JSON report of one run (`target` a file, or a stream for `--json -`). */
  static json(target: string | NodeJS.WritableStream): StreamedReport {
    return new StreamedReport(target, jsonFrame, jsonExchangeText, ',\n');
  }

  /** The JUnit report of one vendor's run. */
  static junit(target: string, vendor: string): StreamedReport {
    return new StreamedReport(target, junitFrame, (e) => junitExchangeText(vendor, e), '\n');
  }

  add(exchange: EvaluatedExchange): void {
    this.addText(this.text(exchange));
  }

  /** An exchange's text as jsonExchangeText or junitExchangeText made it (perhaps on another thread). */
  addText(text: string): void {
    // An exchange without findings has no testcase in JUnit: nothing to separate.
    if (text === '') return;
    this.pending.push(text);
    this.pendingBytes += text.length;
    this.added++;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeAll(this.fd, `${this.written > 0 ? this.separator : ''}${this.pending.join(this.separator)}`);
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Write the report: head, the exchanges in the order added, tail. */
  finish(head: RunHead): void {
    this.flush();
    const frame = this.frame(head);
    try {
      if (typeof this.target === 'string') {
        writeFileAtomicWith(this.target, (out) => this.copyTo((bytes, length) => writeBytes(out, bytes, length), frame));
      } else {
        const stream = this.target;
        // The read buffer is reused: a stream that writes later needs its own copy.
        this.copyTo((bytes, length) => stream.write(Buffer.from(bytes.subarray(0, length))), frame);
      }
    } finally {
      this.abort();
    }
  }

  /** Drop the part file: a run that did not complete writes no report. */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.part, { force: true });
  }

  private copyTo(write: (bytes: Buffer, length: number) => void, frame: Frame): void {
    const writeText = (text: string): void => {
      const bytes = Buffer.from(text, 'utf8');
      write(bytes, bytes.length);
    };
    if (this.added === 0) return writeText(frame.empty);
    writeText(frame.before);
    closeSync(this.fd!);
    this.fd = undefined;
    const input = openSync(this.part, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1 << 20);
      for (let read = readSync(input, buffer); read > 0; read = readSync(input, buffer)) write(buffer, read);
    } finally {
      closeSync(input);
    }
    writeText(frame.after);
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  writeBytes(fd, bytes, bytes.length);
}

function writeBytes(fd: number, bytes: Buffer, length: number): void {
  for (let offset = 0; offset < length; ) offset += writeSync(fd, bytes, offset, length - offset);
}
