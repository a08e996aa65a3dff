import { strictly } from '../engine/evaluate';
import type { Finding, RuleRef } from '../types';
import { DRIFT_CHECK, type Observation } from './observe';

/** One way an observation differs from its baseline. `aspect` names what changed (`status`, `header retry-after`, ...). */
export interface Difference {
  aspect: string;
  message: string;
  expected: unknown;
  actual: unknown;
}

/** What a drift finding holds a response to: errspec's own rule, not the vendor's (a change that breaks one of those fails its own check). */
export const DRIFT_RULE: RuleRef = {
  id: 'errspec.drift',
  source: 'errspec baseline (--baseline)',
  text: 'the error contract observed (statuses, codes, envelope fields, Retry-After and rate-limit headers, WWW-Authenticate, media type, check outcomes) is the one the baseline recorded',
};

const list = (values: readonly (string | number)[]): string => (values.length === 0 ? 'none' : values.join(', '));
const same = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sorted = <T extends string | number>(values: readonly T[]): T[] => [...values].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

/** Header names as people write them, for messages. */
const HEADER_NAMES: Record<string, string> = {
  'retry-after': 'Retry-After', 'content-type': 'Content-Type', 'www-authenticate': 'WWW-Authenticate', allow: 'Allow',
  ratelimit: 'RateLimit', 'ratelimit-policy': 'RateLimit-Policy', 'x-ratelimit-limit': 'X-RateLimit-Limit',
  'x-ratelimit-remaining': 'X-RateLimit-Remaining', 'x-ratelimit-reset': 'X-RateLimit-Reset',
};
const headerName = (name: string): string => HEADER_NAMES[name] ?? name;

/**
 * Every way `now` differs from `before`. What the document leaves open and what changes per request are not in
 * an observation, so they never differ; a field or header that appeared shows as the outcome it changed
 * (undocumented-fields pass -> warn), and a check that no longer applies (another status) is the status change.
 */
export function differences(before: Observation, now: Observation): Difference[] {
  const out: Difference[] = [];
  const codesSame = same(sorted(before.codes), sorted(now.codes));
  if (!same(sorted(before.statuses), sorted(now.statuses))) {
    const message = codesSame && now.codes.length > 0
      ? `${list(now.codes)} now comes with HTTP ${list(now.statuses)} (baseline: ${list(before.statuses)})`
      : `HTTP ${list(before.statuses)} -> ${list(now.statuses)}`;
    out.push({ aspect: 'status', message, expected: before.statuses, actual: now.statuses });
  }
  if (!codesSame) {
    const added = now.codes.filter((c) => !before.codes.includes(c));
    const gone = before.codes.filter((c) => !now.codes.includes(c));
    const message = added.length > 0 && gone.length > 0
      ? `code ${list(gone)} -> ${list(added)} (new code ${list(added)})`
      : added.length > 0 ? `new code ${list(added)}` : `code ${list(gone)} vanished`;
    out.push({ aspect: 'code', message, expected: before.codes, actual: now.codes });
  }
  // A vanished object takes its members with it: name the top-most field only.
  const gone = before.fields.filter((f) => !now.fields.includes(f));
  for (const field of gone.filter((f) => !gone.some((g) => f.startsWith(`${g}/`)))) {
    out.push({ aspect: `field ${field}`, message: `field ${field} vanished`, expected: 'present', actual: 'absent' });
  }
  for (const [name, forms] of Object.entries(before.headers).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const current = now.headers[name];
    if (current === undefined) out.push({ aspect: `header ${name}`, message: `header ${headerName(name)} vanished`, expected: forms, actual: 'absent' });
    else if (!same(sorted(forms), sorted(current))) {
      const what = forms.every((f) => f === 'present') ? 'changed' : 'changed form';
      out.push({ aspect: `header ${name}`, message: `${headerName(name)} ${what}: ${list(forms)} -> ${list(current)}`, expected: forms, actual: current });
    }
  }
  for (const [check, outcome] of Object.entries(before.outcomes).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const current = now.outcomes[check];
    if (current !== undefined && current !== outcome) out.push({ aspect: `outcome ${check}`, message: `${check} ${outcome} -> ${current}`, expected: outcome, actual: current });
  }
  return out;
}

export interface DriftOptions {
  /** `--fail-on-drift`: a difference fails instead of warning. */
  failOnDrift?: boolean;
  /** `--strict`: warnings fail, drift's too. */
  strict?: boolean;
}

/** The drift finding of one probe (or HAR entry `pattern`, named in the message): pass, a warning (failure with --fail-on-drift) listing each difference, or skip when the baseline has no such key. */
export function driftFinding(before: Observation | undefined, now: Observation, options: DriftOptions = {}, pattern?: string): Finding {
  const of = pattern === undefined ? '' : ` (${pattern})`;
  if (!before) return { check: DRIFT_CHECK, outcome: 'skip', message: `not in the baseline${of}: nothing to compare (record it with --update-baseline)`, rule: DRIFT_RULE };
  const found = differences(before, now);
  if (found.length === 0) return { check: DRIFT_CHECK, outcome: 'pass', message: `the error contract observed${of} matches the baseline`, rule: DRIFT_RULE };
  const finding: Finding = {
    check: DRIFT_CHECK,
    outcome: options.failOnDrift ? 'fail' : 'warn',
    message: `drifted from the baseline${of}: ${found.map((d) => d.message).join('; ')}`,
    rule: DRIFT_RULE,
    expected: Object.fromEntries(found.map((d) => [d.aspect, d.expected])),
    actual: Object.fromEntries(found.map((d) => [d.aspect, d.actual])),
  };
  return options.strict ? strictly(finding) : finding;
}

/** One key's drift, and where it goes: the index of the key's first exchange. */
export interface KeyDrift {
  key: string;
  first: number;
  finding: Finding;
}

/** Every observed key's drift finding against a baseline's observations, and the baseline's keys this run did not observe. */
export function compareObservations(
  before: Record<string, Observation> | undefined,
  now: Map<string, { observation: Observation; first: number }>,
  options: DriftOptions = {},
  /** Keys are HAR entry patterns, which the messages name (a probe's id is already the exchange's). */
  patterns = false,
): { drift: KeyDrift[]; missing: string[] } {
  const drift: KeyDrift[] = [];
  for (const [key, { observation, first }] of now) {
    drift.push({ key, first, finding: driftFinding(before && Object.hasOwn(before, key) ? before[key] : undefined, observation, options, patterns ? key : undefined) });
  }
  const missing = Object.keys(before ?? {}).filter((key) => !now.has(key)).sort();
  return { drift, missing };
}
