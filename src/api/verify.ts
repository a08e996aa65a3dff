import { exitCodeOf, runSummary } from '../engine/summary';
import { loadProfile, vendorIds } from '../profile/load';
import type { EvaluatedExchange, Summary, VendorRun } from '../types';
import { runVendor } from '../verify/run-vendor';
import type { VerifySettings } from '../verify/settings';

export interface VerifyRequest extends Omit<VerifySettings, 'resultsDir' | 'progress' | 'color'> {
  /** Vendor ids or profile files; `'all'` for every built-in vendor. */
  vendors: string[] | 'all';
  /** Aborting stops the probes in flight; the runs hold what finished. */
  signal?: AbortSignal;
  /** Called as each exchange is checked (progress); the runner itself never prints. */
  onExchange?: (vendor: string, exchange: EvaluatedExchange) => void;
}

export interface VerifyResult {
  /** One run per vendor that ran, in vendor id order: what every reporter renders. */
  runs: VendorRun[];
  /** Each run's totals, as every report shows them. */
  summaries: Record<string, Summary>;
  /** 0 all passed, 1 a check failed, 3 a target was unreachable: the CLI's exit code. */
  exitCode: number;
  /** True when the signal stopped the run before every vendor ran. */
  interrupted: boolean;
}

/** `errspec verify` as a function: each vendor's probes against its target (or its embedded mock), one vendor after another. */
export async function verify(request: VerifyRequest): Promise<VerifyResult> {
  const { vendors, signal, onExchange, ...settings } = request;
  const ids = vendors === 'all' ? vendorIds() : vendors;
  const runs: VendorRun[] = [];
  for (const vendor of ids) {
    if (signal?.aborted) break;
    runs.push(await runVendor(vendor, settings, { onExchange, signal }));
  }
  // Reports list vendors in id order, whatever order they were asked for in.
  runs.sort((a, b) => (a.vendor < b.vendor ? -1 : a.vendor > b.vendor ? 1 : 0));
  const summaries = Object.fromEntries(runs.map((run) => [run.vendor, runSummary(run)]));
  const ran = new Set(runs.map((r) => r.vendor));
  const interrupted = Boolean(signal?.aborted) || ids.some((id) => !ran.has(loadProfile(id).id));
  return { runs, summaries, exitCode: exitCodeOf(runs), interrupted };
}
