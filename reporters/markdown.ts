import { runSummary } from '../src/engine/summary';
import { TARGET_KIND_LABEL, targetKindOf } from './target';
import type { EvaluatedExchange, Summary, VendorRun } from '../src/types';
import { coverageLines } from './coverage';

/** Options of the Markdown summary. */
export interface MarkdownOptions {
  /** Failing checks listed before the rest is only counted; keeps a CI job page short. Default 30. */
  maxFailures?: number;
  /** Characters of a failure message shown. Default 160. */
  maxMessage?: number;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** One table cell of untrusted text: no HTML, no Markdown markup, no line break, no pipe. */
export function markdownCell(value: string, max = Infinity): string {
  let text = value.replace(/[\x00-\x1F\x7F\u2028\u2029]+/g, ' ').trim();
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]).replace(/[\\`*_[\]|~]/g, '\\$&');
}

/** Ids as code when they are plain ids (as every built-in one is), else as escaped text. */
const idCell = (id: string): string => (/^[\w.:-]+$/.test(id) ? `\`${id}\`` : markdownCell(id));

/** Failing checks the summary lists by default before it only counts the rest. */
export const MARKDOWN_MAX_FAILURES = 30;

/** A failing (or errored) check as the summary lists it. */
export interface MarkdownFailure {
  exchange: string;
  check: string;
  outcome: string;
  message: string;
}

/** A run as the summary needs it: totals, and its first failing checks (at least as many as it lists). */
export interface MarkdownRun {
  vendor: string;
  summary: Summary;
  unreachable?: string;
  targetKind?: VendorRun['targetKind'];
  coverage?: VendorRun['coverage'];
  /** Some exchange is not ok. */
  failed: boolean;
  failures: MarkdownFailure[];
  /** Failing checks in all, listed or not. */
  failureCount: number;
}

const verdict = (run: MarkdownRun): string => (run.unreachable ? '⚠ unreachable' : run.failed ? '❌ failed' : '✅ passed');

const failuresOf = (e: EvaluatedExchange): MarkdownFailure[] =>
  e.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error').map((f) => ({ exchange: e.id, check: f.check, outcome: f.outcome, message: f.message }));

export function markdownRunOf(run: VendorRun): MarkdownRun {
  const failures = run.exchanges.flatMap(failuresOf);
  return { vendor: run.vendor, summary: runSummary(run), unreachable: run.unreachable, targetKind: run.targetKind, coverage: run.coverage, failed: run.exchanges.some((e) => !e.ok), failures, failureCount: failures.length };
}

/** The summary of a run that is never held whole (`errspec proxy`): totals come from its head, failures are kept up to what is listed. */
export class MarkdownTally {
  private readonly failures: MarkdownFailure[] = [];
  private failureCount = 0;

  constructor(private readonly keep = MARKDOWN_MAX_FAILURES) {}

  add(exchange: EvaluatedExchange): void {
    for (const f of exchange.findings) {
      if (f.outcome !== 'fail' && f.outcome !== 'error') continue;
      this.failureCount++;
      if (this.failures.length < this.keep) this.failures.push({ exchange: exchange.id, check: f.check, outcome: f.outcome, message: f.message });
    }
  }

  run(head: { vendor: string; summary: Summary; unreachable?: string; failed: boolean; targetKind?: VendorRun['targetKind']; coverage?: VendorRun['coverage'] }): MarkdownRun {
    return { vendor: head.vendor, summary: head.summary, unreachable: head.unreachable, targetKind: head.targetKind, coverage: head.coverage, failed: head.failed, failures: this.failures, failureCount: this.failureCount };
  }
}

/** A Markdown summary for a CI job page: totals per vendor, then the failing checks. */
export function renderMarkdown(runs: VendorRun[], options: MarkdownOptions = {}): string {
  return renderMarkdownOf(runs.map(markdownRunOf), options);
}

export function renderMarkdownOf(runs: MarkdownRun[], options: MarkdownOptions = {}): string {
  const maxFailures = options.maxFailures ?? MARKDOWN_MAX_FAILURES;
  const maxMessage = options.maxMessage ?? 160;
  const out = ['## errspec', '', '| vendor | result | exchanges | checks | passed | failed | warnings | skipped | errors |', '|---|---|--:|--:|--:|--:|--:|--:|--:|'];
  for (const run of runs) {
    const s = run.summary;
    out.push(`| ${idCell(run.vendor)} | ${verdict(run)} | ${s.exchanges} | ${s.checks} | ${s.passed} | ${s.failed} | ${s.warnings} | ${s.skipped} | ${s.errors} |`);
  }
  const mocked = runs.filter((run) => targetKindOf(run) === 'embedded-mock').map((run) => idCell(run.vendor));
  if (mocked.length > 0) out.push('', `Target of ${mocked.join(', ')}: ${TARGET_KIND_LABEL['embedded-mock']}, not a vendor server.`);
  for (const run of runs) if (run.unreachable) out.push('', `**${markdownCell(run.vendor)}**: target unreachable: ${markdownCell(run.unreachable, maxMessage)}`);
  for (const run of runs) for (const line of run.coverage ? coverageLines(run.coverage) : []) out.push('', `**${markdownCell(run.vendor)}**: ${markdownCell(line)}`);
  const failures = runs.flatMap((run) => run.failures.map((f) => ({ run, f })));
  const total = runs.reduce((n, run) => n + run.failureCount, 0);
  if (total > 0) {
    out.push('', `### Failing checks (${total})`, '', '| vendor | probe | check | outcome | message |', '|---|---|---|---|---|');
    for (const { run, f } of failures.slice(0, maxFailures)) {
      out.push(`| ${idCell(run.vendor)} | ${idCell(f.exchange)} | ${idCell(f.check)} | ${f.outcome} | ${markdownCell(f.message, maxMessage)} |`);
    }
    if (total > maxFailures) out.push('', `…and ${total - maxFailures} more: see the JUnit, JSON or HTML report.`);
  }
  return `${out.join('\n')}\n`;
}
