import type { ErrorObject } from 'ajv';
import { checks as allChecks, type Check } from '../checks';
import type { CheckContext } from '../checks/define';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Exchange, Finding } from '../types';
import { observeBody } from '../drift/observe';

export interface EvaluateOptions {
  /** Warnings become failures (`--strict`). */
  strict?: boolean;
  /** The reproduction attached to failing findings. */
  repro?: string;
  checks?: readonly Check[];
}

/** Plans of the built-in checks by profile and expected statuses: a probe asks for its plan on every send. */
const plans = new WeakMap<Profile, Map<string, Check[]>>();

/** Checks that apply to a probe before it is sent: used for the static list of Jest tests. */
export function checksForProbe(profile: Profile, expectedStatuses: number[], list: readonly Check[] = allChecks): Check[] {
  const template = { expectedStatuses } as Exchange;
  const plan = (): Check[] => list.filter((c) => expectedStatuses.some((s) => c.appliesTo(profile, s, template)));
  if (list !== allChecks) return plan();
  let byStatuses = plans.get(profile);
  if (!byStatuses) plans.set(profile, (byStatuses = new Map()));
  const key = expectedStatuses.join(',');
  let checks = byStatuses.get(key);
  if (!checks) byStatuses.set(key, (checks = plan()));
  return [...checks];
}

/** `--strict`, the one meaning everywhere: a warning becomes a failure that says so. */
export function strictly(finding: Finding): Finding {
  if (finding.outcome === 'warn') {
    finding.outcome = 'fail';
    finding.message = `(strict) ${finding.message}`;
  }
  return finding;
}

/**
 * The same outcome for every check of a plan, when the run decides it rather than the response: a probe
 * not sent (skip), a burst that never met the limit (skip), a transport failure or a 429 instead of an answer (error).
 */
export function uniformFindings(list: readonly Check[], outcome: 'skip' | 'error', message: string, repro?: string): Finding[] {
  return list.map((c): Finding => ({ check: c.id, outcome, message, ...(repro ? { repro } : {}) }));
}

/** Run every applicable check on one exchange. Never throws for anything the target sent. */
export function evaluate(profile: Profile, exchange: Exchange, options: EvaluateOptions = {}): EvaluatedExchange {
  const list = options.checks ?? allChecks;
  const findings: Finding[] = [];
  const response = exchange.response;
  if (!response) {
    const failure = exchange.transportError ?? { code: 'UNKNOWN', message: 'no response' };
    const statuses = exchange.expectedStatuses ?? [400];
    const planned = list.filter((c) => statuses.some((s) => c.appliesTo(profile, s, exchange)));
    return { ...exchange, ok: false, findings: uniformFindings(planned, 'error', `${failure.code}: ${failure.message}`, options.repro) };
  }
  const ctx = context(profile, exchange);
  for (const check of list) {
    if (!check.appliesTo(profile, ctx.status, exchange)) continue;
    let result;
    try {
      result = check.run(ctx);
    } catch (cause) {
      // A check bug must not lose the run: report it as an error finding.
      result = { outcome: 'error' as const, message: `check crashed: ${(cause as Error).message}` };
    }
    const finding: Finding = { check: check.id, ...result };
    if (options.strict) strictly(finding);
    // A warning carries its reproduction too: "did not provoke" is acted on by trying the request by hand.
    if ((finding.outcome === 'fail' || finding.outcome === 'error' || finding.outcome === 'warn') && options.repro) finding.repro = options.repro;
    findings.push(finding);
  }
  // The code and fields drift compares (src/drift/), taken from the body the checks parsed once.
  const observed = observeBody(ctx.json, ctx.facts.code);
  return { ...exchange, ok: !findings.some((f) => f.outcome === 'fail' || f.outcome === 'error'), findings, ...(observed ? { observed } : {}) };
}

function context(profile: Profile, exchange: Exchange): CheckContext {
  const response = exchange.response!;
  let json: unknown;
  let jsonError: string | undefined;
  const body = response.body;
  let envelopeErrors: ErrorObject[] | undefined;
  if (response.truncated) jsonError = 'body exceeded the size cap and was cut';
  else if (body.trim() === '') jsonError = 'empty body';
  else {
    try {
      json = JSON.parse(body);
    } catch (cause) {
      jsonError = `invalid JSON: ${(cause as Error).message}`;
    }
  }
  return {
    profile,
    exchange,
    status: response.status,
    headers: response.headers,
    json,
    jsonError,
    facts: json === undefined ? {} : profile.envelopeFacts(json),
    envelopeErrors: () => {
      if (envelopeErrors === undefined) {
        const validate = profile.envelopeValidator();
        validate(json);
        // ajv reuses `errors` on its next call: keep this exchange's own copy.
        envelopeErrors = [...(validate.errors ?? [])];
      }
      return envelopeErrors;
    },
  };
}
