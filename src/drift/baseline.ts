import { readFileSync } from 'node:fs';
import stringify from 'safe-stable-stringify';
import { BaselineInvalidError } from '../errors';
import { writeFileAtomic } from '../util/write-atomic';
import type { Observation } from './observe';

/** The observed error contract of one vendor as the baseline keeps it. */
export interface VendorBaseline {
  /** Documented codes observed by this run or any run the baseline accumulated, sorted. */
  coverage: { observed: string[] };
  /** Probe id (or HAR entry pattern) -> what it observed. */
  observed: Record<string, Observation>;
}

/**
 * The baseline file: JSON with sorted keys and sorted sets, no timestamps, no target (port 0 changes), no
 * values that change per request, so an unchanged server writes it byte for byte the same and a change
 * reads as a small diff in a pull request.
 */
export interface Baseline {
  errspec: 'baseline';
  version: 1;
  vendors: Record<string, VendorBaseline>;
}

export const emptyBaseline = (): Baseline => ({ errspec: 'baseline', version: 1, vendors: {} });

/** The file's text: keys sorted at every level (safe-stable-stringify), two-space indent, one final newline. */
export function renderBaseline(baseline: Baseline): string {
  return `${stringify(baseline, null, 2)}\n`;
}

/** The baseline in FILE, or undefined when there is none yet. Throws BaselineInvalidError for a file that is not one. */
export function readBaseline(file: string): Baseline | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BaselineInvalidError(`--baseline ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BaselineInvalidError(`--baseline ${file}: not JSON (${(error as Error).message}); delete it or pass --update-baseline to record a new one`, { cause: error });
  }
  const doc = parsed as Partial<Baseline> | null;
  if (!doc || typeof doc !== 'object' || doc.errspec !== 'baseline' || doc.version !== 1 || !doc.vendors || typeof doc.vendors !== 'object') {
    throw new BaselineInvalidError(`--baseline ${file}: not an errspec baseline (expected {"errspec": "baseline", "version": 1, "vendors": {...}})`);
  }
  for (const [vendor, entry] of Object.entries(doc.vendors)) {
    if (!entry || typeof entry.observed !== 'object' || !Array.isArray(entry.coverage?.observed)) {
      throw new BaselineInvalidError(`--baseline ${file}: vendors.${vendor}: expected {coverage: {observed: [...]}, observed: {...}}`);
    }
  }
  return doc as Baseline;
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileAtomic(file, renderBaseline(baseline));
}
