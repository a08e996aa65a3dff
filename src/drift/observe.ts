import type { BodyObservation, Coverage, Outcome } from '../types';
import { parseRetryAfter } from '../util/retry-after';
import { mediaTypeEssence } from '../util/media-type';

/**
 * The observed error contract of a run: per probe (or, for a HAR, per entry pattern `METHOD /path/{id} STATUS`)
 * the statuses, codes, envelope fields, the forms of the headers clients act on, and the checks' outcomes.
 * Values that change every request (request ids, timestamps, messages, counters) are never part of it, so an
 * unchanged server observes the same thing on every run.
 */
export interface Observation {
  statuses: number[];
  codes: string[];
  fields: string[];
  /** Lower-cased header name -> the forms it came in (`delay-seconds`, `http-date`, a media type, `present`). */
  headers: Record<string, string[]>;
  /** Check id -> outcome (the worst, where several exchanges share a key). */
  outcomes: Record<string, Outcome>;
}

/** An exchange as both the live run and a saved JSON report (SPEC §5) have it: all drift needs. */
export interface ObservedExchange {
  id: string;
  entry?: number | null;
  request: { method: string; url: string };
  response?: { status: number; headers: Record<string, string> } | null;
  transportError?: { code: string; message?: string };
  observed?: BodyObservation;
  findings: { check: string; outcome: Outcome }[];
}

/** The check id of drift findings: one per probe (or HAR entry pattern) in every report. */
export const DRIFT_CHECK = 'drift';

/** Bounds of the field walk: a body is capped already, but an array of 10,000 issues needs no 10,000 visits. */
const MAX_FIELDS = 256;
const MAX_DEPTH = 8;
const MAX_ITEMS = 50;

/** The members of a JSON body as sorted JSON pointers, array items as `*`; values are left out. */
export function fieldsOf(body: unknown): string[] {
  // A Set: array items repeat their members' pointers, and the cap counts distinct ones (so 40 or 50 issues observe the same).
  const out = new Set<string>();
  const walk = (value: unknown, prefix: string, depth: number): void => {
    if (depth > MAX_DEPTH || out.size >= MAX_FIELDS || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      const n = Math.min(value.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) walk(value[i], `${prefix}/*`, depth + 1);
      return;
    }
    for (const key of Object.keys(value)) {
      if (out.size >= MAX_FIELDS) return;
      // JSON pointer escaping (RFC 6901), skipped for the plain keys nearly every body has.
      const path = `${prefix}/${key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key}`;
      out.add(path);
      walk((value as Record<string, unknown>)[key], path, depth + 1);
    }
  };
  walk(body, '', 0);
  return [...out].sort();
}

/** What `evaluate()` keeps of a parsed body: its code and its fields. */
export function observeBody(json: unknown, code: string | undefined): BodyObservation | undefined {
  if (json === undefined) return undefined;
  return code === undefined ? { fields: fieldsOf(json) } : { code, fields: fieldsOf(json) };
}

/** Headers whose mere presence a client relies on (their values change every request or are not promised). */
const PRESENCE = ['allow', 'ratelimit', 'ratelimit-policy', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];

/** The form of each header that matters: Retry-After's kind, the media type, WWW-Authenticate's schemes, else presence. */
export function headerForms(headers: Record<string, string>): Record<string, string> {
  const forms: Record<string, string> = {};
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) lower[name.toLowerCase()] = value;
  if (lower['retry-after'] !== undefined) {
    const kind = parseRetryAfter(lower['retry-after']).kind;
    forms['retry-after'] = kind === 'seconds' ? 'delay-seconds' : kind === 'date' ? 'http-date' : 'invalid';
  }
  if (lower['content-type'] !== undefined) forms['content-type'] = mediaTypeEssence(lower['content-type']);
  if (lower['www-authenticate'] !== undefined) {
    // The scheme of each challenge (`Bearer realm="x", error="invalid_token"` is `bearer`): parameters vary per request.
    const schemes = [...lower['www-authenticate'].matchAll(/(?:^|,)\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)(?=\s+[^\s=,]|\s*(?:,|$))/g)].map((m) => m[1].toLowerCase());
    forms['www-authenticate'] = [...new Set(schemes)].sort().join(' ') || 'present';
  }
  for (const name of PRESENCE) if (lower[name] !== undefined) forms[name] = 'present';
  return forms;
}

const SEVERITY: Record<Outcome, number> = { pass: 0, skip: 1, warn: 2, fail: 3, error: 4 };

/** The worse of two outcomes (error > fail > warn > skip > pass). */
export const worse = (a: Outcome, b: Outcome): Outcome => (SEVERITY[a] >= SEVERITY[b] ? a : b);

/** `v1`, `R4`, `v2.1`: a version in a path is part of the route, not an id. */
const VERSION = /^[vr]\d+(\.\d+)*$/i;

/** The path of a URL with its ids replaced by `{id}`: a segment with a digit, or the one after a FHIR resource type. */
export function pathTemplate(url: string): string {
  let path: string;
  try {
    path = new URL(url, 'http://errspec.invalid').pathname;
  } catch {
    path = url.split('?')[0];
  }
  const segments = path.split('/');
  // A FHIR read is `/<ResourceType>/<id>`: the id is whatever follows a capitalised type (`_search`, `$validate` are operations).
  return segments.map((segment, i) => ((/\d/.test(segment) && !VERSION.test(segment)) || (i > 0 && /^[A-Z][A-Za-z]+$/.test(segments[i - 1]) && /^[^_$]/.test(segment)) ? '{id}' : segment)).join('/');
}

/** Recorded traffic (a HAR, the proxy) has no probe ids: its exchanges are compared by entry pattern. */
export const byPattern = (source: string): boolean => source === 'har' || source === 'proxy';

/** The key an exchange is compared under: its probe id, or for a HAR entry `METHOD /path/{id} STATUS`. */
export function keyOf(exchange: ObservedExchange, source: string): string {
  if (!byPattern(source)) return exchange.id;
  const status = exchange.response ? String(exchange.response.status) : 'no-response';
  return `${exchange.request.method.toUpperCase()} ${pathTemplate(exchange.request.url)} ${status}`;
}

const empty = (): Observation => ({ statuses: [], codes: [], fields: [], headers: {}, outcomes: {} });
const union = <T>(a: T[], b: T[], order?: (x: T, y: T) => number): T[] => [...new Set([...a, ...b])].sort(order);

/** One exchange's observation; undefined for an exchange nothing was sent for (a skipped probe, a document finding). */
export function observe(exchange: ObservedExchange): Observation | undefined {
  if (!exchange.response && !exchange.transportError) return undefined;
  // A HAR's 2xx entries are listed unchecked: they are no error, so no part of the error contract.
  if (exchange.response && exchange.findings.length === 0) return undefined;
  const observation = empty();
  if (exchange.response) {
    observation.statuses = [exchange.response.status];
    const forms = headerForms(exchange.response.headers ?? {});
    for (const [name, form] of Object.entries(forms)) observation.headers[name] = [form];
  }
  if (exchange.observed?.code !== undefined) observation.codes = [exchange.observed.code];
  observation.fields = [...(exchange.observed?.fields ?? [])].sort();
  for (const finding of exchange.findings) {
    if (finding.check === DRIFT_CHECK) continue;
    const before = observation.outcomes[finding.check];
    observation.outcomes[finding.check] = before === undefined ? finding.outcome : worse(before, finding.outcome);
  }
  return observation;
}

/** Two observations under one key (HAR entries of one pattern) as one: sets joined, the worst outcome kept. */
export function merge(a: Observation, b: Observation): Observation {
  const headers: Record<string, string[]> = { ...a.headers };
  for (const [name, forms] of Object.entries(b.headers)) headers[name] = union(headers[name] ?? [], forms);
  const outcomes: Record<string, Outcome> = { ...a.outcomes };
  for (const [check, outcome] of Object.entries(b.outcomes)) outcomes[check] = outcomes[check] === undefined ? outcome : worse(outcomes[check], outcome);
  return { statuses: union(a.statuses, b.statuses, (x, y) => x - y), codes: union(a.codes, b.codes), fields: union(a.fields, b.fields), headers, outcomes };
}

/** Every key's observation of a run's exchanges, and the exchange each key's drift finding goes on (its first). */
export function observeRun(exchanges: ObservedExchange[], source: string): Map<string, { observation: Observation; first: number }> {
  const byKey = new Map<string, { observation: Observation; first: number }>();
  exchanges.forEach((exchange, index) => {
    const observation = observe(exchange);
    if (!observation) return;
    const key = keyOf(exchange, source);
    const seen = byKey.get(key);
    if (seen) seen.observation = merge(seen.observation, observation);
    else byKey.set(key, { observation, first: index });
  });
  return byKey;
}

/** Which documented codes a run's answers carried (`codes`: each exchange's, undefined where it had none), and which never did. */
export function coverageOf(documented: string[], codes: Iterable<string | undefined>): Coverage {
  const all = [...new Set(documented)].sort();
  const seen = new Set<string>();
  for (const code of codes) if (code !== undefined) seen.add(code);
  return { documented: all, observed: all.filter((c) => seen.has(c)), never: all.filter((c) => !seen.has(c)) };
}
