import type { Coverage } from '../src/types';

const names = (codes: string[]): string => (codes.length === 0 ? 'none' : codes.join(', '));

/**
 * The run's catalog coverage as the reporters print it: the engine's lists (`run.coverage`), never a count of
 * the reporter's own. One line for this run, one more with `--baseline` for every run the baseline accumulated.
 */
export function coverageLines(coverage: Coverage): string[] {
  const lines = [`documented codes observed in this run: ${coverage.observed.length} of ${coverage.documented.length}; never observed: ${names(coverage.never)}`];
  const acc = coverage.accumulated;
  // The same lists twice say nothing: the accumulated line only when the baseline's runs saw more.
  if (acc && acc.observed.length !== coverage.observed.length) lines.push(`documented codes observed with the baseline's runs: ${acc.observed.length} of ${coverage.documented.length}; never observed: ${names(acc.never)}`);
  return lines;
}

/** JUnit `<property>`s of the coverage (also written by the streamed report): name and value, the lists joined by spaces. */
export function coverageProperties(coverage: Coverage | undefined): [string, string][] {
  if (!coverage) return [];
  const out: [string, string][] = [['coverage.documented', coverage.documented.join(' ')], ['coverage.observed', coverage.observed.join(' ')], ['coverage.never', coverage.never.join(' ')]];
  if (coverage.accumulated) out.push(['coverage.accumulated.observed', coverage.accumulated.observed.join(' ')], ['coverage.accumulated.never', coverage.accumulated.never.join(' ')]);
  return out;
}
