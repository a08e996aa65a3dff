import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import type { Coverage, EvaluatedExchange, VendorRun } from '../types';
import { emptyBaseline, readBaseline, writeBaseline, type Baseline } from './baseline';
import { compareObservations, type DriftOptions } from './compare';
import { byPattern, observeRun } from './observe';

/** `--baseline`, `--update-baseline`, `--fail-on-drift` as verify and check take them. */
export interface BaselineOptions {
  /** `--baseline FILE`: record the observed error contract when FILE does not exist, else compare with it. */
  baseline?: string;
  /** `--update-baseline`: rewrite FILE with this run after comparing (a run the user accepts). */
  updateBaseline?: boolean;
  /** `--fail-on-drift`: a difference from the baseline fails instead of warning. */
  failOnDrift?: boolean;
}

/** The drift options, added to a command in one place. */
export function addBaselineOptions(command: Command): Command {
  return command
    .option('--baseline <file>', 'record the observed error contract in FILE when it does not exist; else compare with it and report each difference as a `drift` finding (commit FILE to your repository)')
    .option('--update-baseline', 'rewrite the --baseline file with this run, after comparing (for a reviewed pull request)', false)
    .addOption(new Option('--fail-on-drift', 'a difference from the --baseline fails the run (default: a warning)').default(false));
}

/** Misuse is exit 2 before any request: drift options without --baseline, or a FILE that is not a baseline. */
export function checkBaselineOptions(options: BaselineOptions): void {
  if (!options.baseline && (options.updateBaseline || options.failOnDrift)) {
    throw new UsageError(`${options.updateBaseline ? '--update-baseline' : '--fail-on-drift'} needs --baseline FILE`);
  }
  if (options.baseline) readBaseline(options.baseline);
}

/** What applying a baseline did, for the command to print. */
export interface BaselineOutcome {
  runs: VendorRun[];
  /** Set when the file was written: recorded for the first time, or updated. */
  wrote?: 'recorded' | 'updated';
}

const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])].sort();

/** Coverage over this run and the runs the baseline accumulated. */
function accumulated(coverage: Coverage, before: string[]): Coverage {
  const observed = union(before.filter((c) => coverage.documented.includes(c)), coverage.observed);
  return { ...coverage, accumulated: { observed, never: coverage.documented.filter((c) => !observed.includes(c)) } };
}

/** The baseline these runs record: each vendor's observations replaced, its coverage joined with what was recorded; other vendors kept. */
export function recordBaseline(runs: VendorRun[], previous: Baseline | undefined): Baseline {
  const next = emptyBaseline();
  next.vendors = { ...(previous?.vendors ?? {}) };
  for (const run of runs) {
    // Nothing was observed of a target that could not be reached: keep what the baseline had.
    if (run.unreachable) continue;
    const observed = Object.fromEntries([...observeRun(run.exchanges, run.source)].map(([key, { observation }]) => [key, observation]));
    const before = previous?.vendors[run.vendor]?.coverage.observed ?? [];
    next.vendors[run.vendor] = { coverage: { observed: run.coverage?.accumulated?.observed ?? union(before, run.coverage?.observed ?? []) }, observed };
  }
  return next;
}

/** One run compared with its vendor's baseline: a `drift` finding on the first exchange of each key, a note for keys not seen. */
export function compareRun(run: VendorRun, baseline: Baseline, options: DriftOptions): VendorRun {
  const recorded = baseline.vendors[run.vendor];
  if (run.unreachable) return run;
  const { drift, missing } = compareObservations(recorded?.observed, observeRun(run.exchanges, run.source), options, byPattern(run.source));
  const exchanges: EvaluatedExchange[] = run.exchanges.map((e) => ({ ...e, findings: [...e.findings] }));
  for (const { first, finding } of drift) {
    const exchange = exchanges[first];
    exchange.findings.push(finding);
    if (finding.outcome === 'fail' || finding.outcome === 'error') exchange.ok = false;
  }
  const notes = [...(run.notes ?? [])];
  if (!recorded) notes.push(`drift: the baseline has no ${run.vendor}: record it with --update-baseline`);
  if (missing.length > 0) notes.push(`drift: in the baseline but not observed in this run: ${missing.join(', ')}`);
  const coverage = run.coverage && recorded ? accumulated(run.coverage, recorded.coverage.observed) : run.coverage;
  return { ...run, exchanges, notes, ...(coverage ? { coverage } : {}) };
}

/**
 * `--baseline FILE` on finished runs: without FILE, record it; with it, compare each run (and rewrite FILE
 * with `--update-baseline`). `write: false` (an interrupted run) compares but never writes.
 */
export function applyBaseline(runs: VendorRun[], options: BaselineOptions, write = true): BaselineOutcome {
  if (!options.baseline) return { runs };
  const file = options.baseline;
  const previous = readBaseline(file);
  const drift: DriftOptions = { failOnDrift: options.failOnDrift };
  if (!previous) {
    const recorded = runs.map((run) => (run.coverage ? { ...run, coverage: accumulated(run.coverage, []) } : run));
    // Nothing observed (every target unreachable) is nothing to record: the next run records instead.
    if (!write || recorded.every((run) => run.unreachable)) return { runs: recorded };
    writeBaseline(file, recordBaseline(recorded, undefined));
    return { runs: recorded.map((run) => ({ ...run, notes: [...(run.notes ?? []), `drift: recorded the baseline ${file}`] })), wrote: 'recorded' };
  }
  const compared = runs.map((run) => compareRun(run, previous, { ...drift, strict: run.strict }));
  if (!options.updateBaseline || !write) return { runs: compared };
  writeBaseline(file, recordBaseline(compared, previous));
  return { runs: compared.map((run) => ({ ...run, notes: [...(run.notes ?? []), `drift: updated the baseline ${file}`] })), wrote: 'updated' };
}
