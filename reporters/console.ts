import { runSummary } from '../src/engine/summary';
import type { Coverage, EvaluatedExchange, Summary, VendorRun } from '../src/types';
import { coverageLines } from './coverage';

export interface ConsoleOptions {
  /** ANSI colours; the CLI sets this from `colorFor(stream)`, so logs and pipes get plain text. */
  color?: boolean;
}

/** Colours only on a terminal; NO_COLOR (any value) turns them off, FORCE_COLOR (not 0) on. See no-color.org. */
export function colorFor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

const paint = (on: boolean, code: number, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

/** One line per exchange: verdict, vendor, id, status, and the failing checks. */
export function exchangeLine(vendor: string, exchange: EvaluatedExchange, options: ConsoleOptions = {}): string {
  const color = Boolean(options.color);
  const failed = exchange.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error');
  const warned = exchange.findings.filter((f) => f.outcome === 'warn');
  const notSent = !exchange.response && !exchange.transportError;
  const verdict = notSent ? paint(color, 90, 'SKIP') : failed.length > 0 ? paint(color, 31, 'FAIL') : warned.length > 0 ? paint(color, 33, 'WARN') : paint(color, 32, 'ok  ');
  const status = exchange.response ? String(exchange.response.status) : notSent ? `not sent: ${exchange.findings[0]?.message ?? ''}` : `ERR ${exchange.transportError?.code}`;
  const tail = failed.length > 0 ? `  ${failed.map((f) => f.check).join(', ')}` : warned.length > 0 ? `  (${warned.map((f) => f.check).join(', ')})` : '';
  return `${verdict} ${vendor} ${exchange.id} ${exchange.request.method} -> ${status}${tail}`;
}

/** A summary table, one row per vendor; with colour, non-zero failures and errors are red, warnings yellow. */
export function summaryTable(runs: VendorRun[], options: ConsoleOptions = {}): string {
  return summaryTableOf(runs.map((run) => ({ vendor: run.vendor, summary: runSummary(run), unreachable: run.unreachable, coverage: run.coverage })), options);
}

/** One row of the summary table: a run's totals from `runSummary` (or a streamed run's, counted the same way). */
export interface SummaryRow {
  vendor: string;
  summary: Summary;
  unreachable?: string;
  coverage?: Coverage;
}

/** The summary table from totals. */
export function summaryTableOf(runs: SummaryRow[], options: ConsoleOptions = {}): string {
  const header = ['vendor', 'exchanges', 'checks', 'passed', 'failed', 'warnings', 'skipped', 'errors'];
  const rows = runs.map((run) => {
    const s = run.summary;
    return [run.vendor, s.exchanges, s.checks, s.passed, s.failed, s.warnings, s.skipped, s.errors].map(String);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  // Pad before painting: escape codes have no width on screen.
  const colorOf = (column: number, cell: string): number | undefined =>
    cell === '0' ? undefined : header[column] === 'failed' || header[column] === 'errors' ? 31 : header[column] === 'warnings' ? 33 : undefined;
  const line = (cells: string[], paintCells = false) => cells.map((c, i) => {
    const padded = i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]);
    const code = paintCells ? colorOf(i, c) : undefined;
    return code === undefined ? padded : paint(Boolean(options.color), code, padded);
  }).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((row) => line(row, true))];
  for (const run of runs) if (run.unreachable) out.push(`${run.vendor}: ${run.unreachable}`);
  for (const run of runs) for (const line of run.coverage ? coverageLines(run.coverage) : []) out.push(`${run.vendor}: ${line}`);
  return out.join('\n');
}
