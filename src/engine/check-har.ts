import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Exchange, Summary, VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { evaluate } from './evaluate';
import { curlFor } from './repro';
import { count, emptySummary } from './summary';
import { coverageOf } from '../drift/observe';
import { HarCapture, harBatches, type HarReadOptions } from '../har/read';

export interface CheckHarOptions {
  strict?: boolean;
  redactor?: Redactor;
  /** Tuning of the streaming HAR reader. */
  read?: HarReadOptions;
}

/** A HAR run as `checkHarStream` ends it: every field of the VendorRun but the exchanges, which went to the callback. */
export interface HarRunHead extends Omit<VendorRun, 'exchanges'> {
  summary: Summary;
  /** Some exchange has a failed or errored finding. */
  failed: boolean;
}

/** The run's head once every entry is checked: what the reporters need besides the exchanges. */
export function harRunHead(profile: Profile, file: string, started: number, strict: boolean, summary: Summary, failed: boolean, codes: Iterable<string>): HarRunHead {
  return {
    vendor: profile.id,
    title: profile.title,
    target: file,
    targetKind: 'capture',
    source: 'har',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    strict,
    summary,
    failed,
    coverage: coverageOf(profile.codes(), codes),
  };
}

/**
 * `errspec check`, streamed: entries are read, checked and handed to `onExchange` one at a time in
 * file order, so memory holds a batch of entries, not the file or the run. Every non-2xx entry is
 * checked; 2xx entries are handed over with no findings. Throws HarInvalidError on a malformed file,
 * possibly after some exchanges were handed over.
 */
export function checkHarStream(profile: Profile, file: string, options: CheckHarOptions, onExchange: (exchange: EvaluatedExchange) => void): HarRunHead {
  const started = Date.now();
  const capture = new HarCapture(options.redactor ?? new Redactor());
  const summary: Summary = emptySummary();
  let failed = false;
  const codes = new Set<string>();
  for (const batch of harBatches(file, options.read)) {
    for (let i = 0; i < batch.entries.length; i++) {
      const exchange = checkEntry(profile, capture.exchange(batch.entries[i], batch.first + i), options.strict);
      count(summary, exchange);
      if (!exchange.ok) failed = true;
      if (exchange.observed?.code !== undefined) codes.add(exchange.observed.code);
      onExchange(exchange);
    }
  }
  return harRunHead(profile, file, started, Boolean(options.strict), summary, failed, codes);
}

/** `errspec check` with the whole run in memory: every non-2xx entry of a HAR is checked; 2xx entries are listed with no findings. */
export function checkHar(profile: Profile, file: string, options: CheckHarOptions = {}): VendorRun {
  const exchanges: EvaluatedExchange[] = [];
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { summary, failed, ...head } = checkHarStream(profile, file, options, (e) => exchanges.push(e));
  return { ...head, exchanges };
}

/** Check one HAR exchange: 2xx entries get no findings; a failing one gets its reproduction. */
export function checkEntry(profile: Profile, exchange: Exchange, strict: boolean | undefined): EvaluatedExchange {
  const status = exchange.response!.status;
  if (status >= 200 && status < 300) return { ...exchange, ok: true, findings: [] };
  const evaluated = evaluate(profile, exchange, { strict });
  // The reproduction is built only for an exchange that needs one: most entries of a large capture pass.
  if (!evaluated.ok) {
    const repro = curlFor(exchange.request);
    for (const finding of evaluated.findings) if (finding.outcome === 'fail' || finding.outcome === 'error') finding.repro = repro;
  }
  return evaluated;
}

export { count } from './summary';
