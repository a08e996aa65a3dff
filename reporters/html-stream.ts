import { closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { EvaluatedExchange, Summary, VendorRun } from '../src/types';
import { writeFileAtomicWith } from '../src/util/write-atomic';
import { addColumns, htmlParts, sortColumns, type HtmlRun } from './html';
import { writeAll } from './stream';

/** A run without its exchanges, as a streamed HTML page needs it once the run is over. */
export interface HtmlRunHead extends Omit<VendorRun, 'exchanges'> {
  summary: Summary;
  /** Some exchange is not ok. */
  failed: boolean;
}

/** How much text is gathered before one write, to the spool or the page. */
const FLUSH_BYTES = 1 << 20;

const isFailure = (outcome: string): boolean => outcome === 'fail' || outcome === 'error';

/**
 * The HTML page of one run that is too large (or too long-lived: `errspec proxy`) to hold: each exchange
 * goes to a spool file beside the report as one JSON line when it is added, with only the page's
 * columns and counts kept in memory; finish() renders the page from the spool (renderHtml's bytes for
 * the same run) and writes it atomically, a piece at a time.
 */
export class StreamedHtml {
  private readonly spool: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private readonly columns: string[] = [];
  private readonly failingChecks = new Set<string>();
  private exchangeCount = 0;
  private failingCount = 0;
  private warnedCount = 0;

  constructor(private readonly target: string) {
    const resolved = path.resolve(target);
    mkdirSync(path.dirname(resolved), { recursive: true });
    this.spool = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${process.pid}.${Date.now()}.part`);
    this.fd = openSync(this.spool, 'w');
  }

  add(exchange: EvaluatedExchange): void {
    addColumns(this.columns, exchange);
    let failing = false;
    let warned = false;
    for (const f of exchange.findings) {
      if (isFailure(f.outcome)) {
        failing = true;
        this.failingChecks.add(f.check);
      } else if (f.outcome === 'warn') warned = true;
    }
    this.exchangeCount++;
    if (failing) this.failingCount++;
    else if (warned) this.warnedCount++;
    const line = `${JSON.stringify(exchange)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
  }

  /** Render the page and write it; the spool is removed whatever happens. */
  finish(head: HtmlRunHead): void {
    this.flush();
    try {
      const { summary, failed, ...run } = head;
      const page: HtmlRun = {
        run,
        summary,
        failed,
        columns: sortColumns(this.columns),
        failingChecks: this.failingChecks,
        exchangeCount: this.exchangeCount,
        failingCount: this.failingCount,
        warnedCount: this.warnedCount,
        exchanges: () => this.readBack(),
      };
      writeFileAtomicWith(this.target, (fd) => {
        let gathered: string[] = [];
        let bytes = 0;
        const write = (): void => {
          writeAll(fd, gathered.join(''));
          gathered = [];
          bytes = 0;
        };
        for (const piece of htmlParts([page])) {
          gathered.push(piece);
          bytes += piece.length;
          if (bytes >= FLUSH_BYTES) write();
        }
        write();
      });
    } finally {
      this.abort();
    }
  }

  /** Drop the spool: a run that did not complete writes no page. */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    rmSync(this.spool, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeAll(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The exchanges in the order added, read back one line at a time. */
  private *readBack(): Generator<EvaluatedExchange> {
    if (this.exchangeCount === 0) return;
    const input = openSync(this.spool, 'r');
    try {
      const buffer = Buffer.allocUnsafe(FLUSH_BYTES);
      const decoder = new StringDecoder('utf8');
      let rest = '';
      for (let read = readSync(input, buffer); read > 0; read = readSync(input, buffer)) {
        const lines = (rest + decoder.write(buffer.subarray(0, read))).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line !== '') yield JSON.parse(line) as EvaluatedExchange;
      }
      rest += decoder.end();
      if (rest !== '') yield JSON.parse(rest) as EvaluatedExchange;
    } finally {
      closeSync(input);
    }
  }
}
