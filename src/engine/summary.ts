import type { EvaluatedExchange, Summary, VendorRun } from '../types';

export const emptySummary = (): Summary => ({ exchanges: 0, checks: 0, passed: 0, failed: 0, warnings: 0, skipped: 0, errors: 0 });

/** Add an exchange's findings to the totals (streaming callers count as they go). */
export function count(summary: Summary, exchange: EvaluatedExchange): void {
  summary.exchanges++;
  for (const finding of exchange.findings) {
    summary.checks++;
    if (finding.outcome === 'pass') summary.passed++;
    else if (finding.outcome === 'fail') summary.failed++;
    else if (finding.outcome === 'warn') summary.warnings++;
    else if (finding.outcome === 'skip') summary.skipped++;
    else summary.errors++;
  }
}

/**
 * The one summary of a run that every writer renders (JSON, JUnit, HTML, Markdown, console): its findings,
 * and a target that could not be reached at all as one error of its own (JUnit's `target > reachable`).
 */
export function runSummary(run: Pick<VendorRun, 'exchanges' | 'unreachable'>): Summary {
  const summary = summarize(run.exchanges);
  if (run.unreachable) {
    summary.checks++;
    summary.errors++;
  }
  return summary;
}

export function summarize(exchanges: EvaluatedExchange[]): Summary {
  const summary = emptySummary();
  for (const exchange of exchanges) count(summary, exchange);
  return summary;
}

/** Exit code per SPEC §4: 3 when a target could not be reached at all, 1 on any failure or error, else 0. */
export function exitCodeOf(runs: VendorRun[]): number {
  if (runs.some((r) => r.unreachable)) return 3;
  return runs.some((r) => r.exchanges.some((e) => !e.ok)) ? 1 : 0;
}
