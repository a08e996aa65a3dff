import { checkEntry } from '../engine/check-har';
import { loadProfile } from '../profile/load';
import type { Profile } from '../profile/profile';
import type { Exchange, Finding, HeaderMap } from '../types';
import { Redactor } from '../util/redact';
import { isPlain, normalise, normalisePlain, type NormalisedResponse, type PlainResponse, type ResponseLike } from './response';

/** The request that got the response, when known: its credentials are learned and redacted from the findings. */
export interface RequestLike {
  method?: string;
  url?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface CheckOptions {
  /** Warnings become failures, as `--strict` does. */
  strict?: boolean;
  request?: RequestLike;
}

/** `checkResponse({ vendor, status, headers, body })`, or `{ vendor, response }` for a fetch or undici response. */
export type CheckResponseInput = CheckOptions & { vendor: string | Profile } & (PlainResponse | { response: ResponseLike });

export interface CheckResult {
  /** No finding failed (warnings do not fail unless `strict`). */
  ok: boolean;
  vendor: string;
  status: number;
  /** Every check's finding, as `errspec check` reports them; a 2xx response has none. */
  findings: Finding[];
}

/** Check one response against a vendor's error contract: the checks and findings of `errspec check` and `verify`. */
export async function checkResponse(input: CheckResponseInput): Promise<CheckResult> {
  const response = 'response' in input ? await normalise(input.response) : normalisePlain(input);
  return checkNormalised(input.vendor, response, input);
}

/** The same, without an await, for a response given as plain data (what a synchronous Jest matcher needs). */
export function checkResponseSync(vendor: string | Profile, response: PlainResponse, options: CheckOptions = {}): CheckResult {
  return checkNormalised(vendor, normalisePlain(response), options);
}

export { isPlain };

function checkNormalised(vendor: string | Profile, response: NormalisedResponse, options: CheckOptions): CheckResult {
  const profile = typeof vendor === 'string' ? loadProfile(vendor) : vendor;
  const request = options.request ?? {};
  const requestHeaders: HeaderMap = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const url = request.url ?? '/';
  const redactor = new Redactor().learnFrom(requestHeaders, { url, body: request.body });
  const exchange: Exchange = {
    id: 'response',
    entry: null,
    request: {
      method: (request.method ?? 'GET').toUpperCase(),
      url: redactor.text(url),
      headers: redactor.headerMap(requestHeaders),
      body: request.body === undefined ? undefined : redactor.text(request.body),
    },
    response: { status: response.status, headers: redactor.headerMap(response.headers), body: redactor.text(response.body) },
  };
  const evaluated = checkEntry(profile, exchange, options.strict);
  return { ok: evaluated.ok, vendor: profile.id, status: response.status, findings: evaluated.findings };
}
