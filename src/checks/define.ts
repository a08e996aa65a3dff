import type { ErrorObject } from 'ajv';
import type { Profile, EnvelopeFacts } from '../profile/profile';
import type { Exchange, Finding, Outcome, RuleRef } from '../types';

/** What a check sees: one exchange, already parsed once for all checks. */
export interface CheckContext {
  profile: Profile;
  exchange: Exchange;
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body, when the body is JSON. */
  json?: unknown;
  /** Why the body is not JSON, when it is not. */
  jsonError?: string;
  facts: EnvelopeFacts;
  /**
   * The envelope schema's errors for this body, validated once per exchange (envelope-schema and
   * undocumented-fields read the same result). Empty when the body is valid.
   */
  envelopeErrors: () => readonly ErrorObject[];
}

export interface SchemaViolation {
  rule: string;
  instancePath: string;
  keyword: string;
  message: string;
}

export type CheckResult = Omit<Finding, 'check' | 'repro'> & { violations?: SchemaViolation[] };

export interface Check {
  /** Stable kebab-case id: a JUnit name in users' CI history. Never renamed. */
  id: string;
  title: string;
  /** Whether the check is meaningful for a response of this status from this vendor (static: no body needed). */
  appliesTo: (profile: Profile, status: number, exchange?: Exchange) => boolean;
  /** Pure and synchronous: no I/O, no clock. */
  run: (ctx: CheckContext) => CheckResult;
  /**
   * Rules of the cited standards this check can report for this profile, beyond the profile's own
   * (`Profile.ruleIdsInUse`): the fixtures need a violating case of each, and `errspec vendors` counts them.
   */
  rules?: (profile: Profile) => readonly string[];
}

export function defineCheck(check: Check): Check {
  return check;
}

interface Detail {
  rule?: RuleRef;
  expected?: unknown;
  actual?: unknown;
  violations?: SchemaViolation[];
}

const result = (outcome: Outcome) => (message: string, detail: Detail = {}): CheckResult => ({
  outcome,
  message,
  ...detail,
});

export const pass = result('pass');
export const fail = result('fail');
export const warn = result('warn');
export const skip = result('skip');

export const isError = (status: number): boolean => status >= 400;

/** Checks of the body need it to be JSON; json-body reports when it is not. */
export function needsJson(ctx: CheckContext): CheckResult | undefined {
  return ctx.json === undefined ? skip(`body is not JSON (${ctx.jsonError ?? 'empty'}): see json-body`) : undefined;
}
