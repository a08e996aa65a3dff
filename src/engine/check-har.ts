import type { Profile } from '../profile/profile';
import type { VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { evaluate } from './evaluate';
import { curlFor } from './repro';
import { exchangeFromEntry, readHar } from '../har/read';

export interface CheckHarOptions {
  strict?: boolean;
  redactor?: Redactor;
}

/** `errspec check`: every non-2xx entry of a HAR is checked; 2xx entries are listed with no findings. */
export function checkHar(profile: Profile, file: string, options: CheckHarOptions = {}): VendorRun {
  const started = Date.now();
  const redactor = options.redactor ?? new Redactor();
  const entries = readHar(file);
  const exchanges = entries.map((entry, index) => {
    const exchange = exchangeFromEntry(entry, index, redactor);
    const status = exchange.response!.status;
    if (status >= 200 && status < 300) return { ...exchange, ok: true, findings: [] };
    return evaluate(profile, exchange, { strict: options.strict, repro: curlFor(exchange.request) });
  });
  return {
    vendor: profile.id,
    title: profile.title,
    target: file,
    source: 'har',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    strict: Boolean(options.strict),
    exchanges,
  };
}
