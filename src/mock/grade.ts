import { createHash } from 'node:crypto';
import type { Profile } from '../profile/profile';
import type { GradedBehaviour, GradingDef } from '../profile/types';
import type { EvaluatedExchange, Finding, VendorRun } from '../types';
import { parseRetryAfter, retryAfterSeconds } from '../util/retry-after';

/** One request the mock answered, as grading needs it: never a credential, only whether it changed. */
export interface SeenRequest {
  /** Epoch ms the request arrived and its answer was sent. */
  at: number;
  done: number;
  method: string;
  /** Path and query. */
  target: string;
  /** Method, target and a hash of the body: the same request sent again has the same key. */
  key: string;
  /** A hash of the credential (never the credential), '' for none. */
  credential: string;
  /** A request to the token endpoint. */
  token: boolean;
  status: number;
  code?: string;
  /** Retry-After of a 429 or 503, in ms. */
  retryAfterMs?: number;
}

/** The check id of every grading finding: the JUnit name is `<behaviour> > client-behaviour`. */
export const GRADE_CHECK = 'client-behaviour';
/** A retry this much sooner than Retry-After still counts as waiting (clocks and rounding). */
const SLACK_MS = 50;
/** A backoff is exponential when each wait is at least this factor of the one before (2 ** attempt doubles). */
const BACKOFF_FACTOR = 1.5;
/** Statuses after which sending the same request again is expected (RFC 9110 §15.5.9, RFC 8470, RFC 6585 §4). */
const RETRYABLE_4XX = new Set([408, 425, 429]);

export function requestKey(method: string, target: string, body: string): string {
  return `${method} ${target} ${body === '' ? '' : createHash('sha1').update(body).digest('hex')}`;
}

export function credentialKey(value: string | undefined): string {
  return value ? createHash('sha1').update(value).digest('hex').slice(0, 16) : '';
}

export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = retryAfterSeconds(parseRetryAfter(value), now);
  return seconds === undefined ? undefined : seconds * 1000;
}

interface Verdict {
  violations: { message: string; request: SeenRequest; previous: SeenRequest }[];
  observed: number;
  lastObserved?: { request: SeenRequest; previous: SeenRequest };
}

/** The records grading reads, kept as requests arrive (bounded by --grade-requests or the process). */
export class ClientRecorder {
  readonly seen: SeenRequest[] = [];

  record(request: SeenRequest): void {
    this.seen.push(request);
  }
}

/**
 * Grade the client from what it sent: one finding per behaviour the vendor document states (the profile's
 * `grading:`), each citing the rule that quotes the sentence. A behaviour the client never had occasion for
 * is skipped, never passed.
 */
export function gradeClient(profile: Profile, seen: readonly SeenRequest[], target: string, startedAt: number, now: number): VendorRun {
  const expired = new Set(profile.doc.auth.expiredCodes ?? []);
  const verdicts = new Map<GradedBehaviour, Verdict>();
  const grading = profile.doc.grading ?? [];
  for (const def of grading) verdicts.set(def.behaviour, { violations: [], observed: 0 });
  const note = (behaviour: GradedBehaviour, request: SeenRequest, previous: SeenRequest, violation?: string): void => {
    const verdict = verdicts.get(behaviour);
    if (!verdict) return;
    verdict.observed++;
    if (violation) verdict.violations.push({ message: violation, request, previous });
    else verdict.lastObserved = { request, previous };
  };
  const maxRetries = grading.find((g) => g.behaviour === 'bounded-retries')?.maxRetries ?? Number.POSITIVE_INFINITY;

  const last = new Map<string, { request: SeenRequest; retries: number; gaps: number[]; reauths: number }>();
  const tokenTimes: number[] = [];
  for (const request of seen) {
    if (request.token) {
      tokenTimes.push(request.at);
      continue;
    }
    const before = last.get(request.key);
    const previous = before?.request;
    const isRetry = previous !== undefined && previous.status >= 400;
    const chain = { request, retries: isRetry ? before!.retries + 1 : 0, gaps: isRetry ? before!.gaps : [], reauths: isRetry ? before!.reauths : 0 };
    last.set(request.key, chain);
    if (!isRetry) continue;
    const gap = request.at - previous.done;
    const status = previous.status;
    if (status === 429 || (status === 503 && previous.retryAfterMs !== undefined)) {
      if (previous.retryAfterMs !== undefined) {
        note('wait-retry-after', request, previous, gap + SLACK_MS < previous.retryAfterMs
          ? `sent ${request.method} ${request.target} again ${gap} ms after a ${status} whose Retry-After asked for ${previous.retryAfterMs} ms` : undefined);
      }
    }
    const wasExpired = status === 401 && previous.code !== undefined && expired.has(previous.code);
    if (wasExpired) {
      chain.reauths++;
      const fetched = tokenTimes.some((t) => t >= previous.done && t <= request.at);
      note('reauth-once', request, previous,
        request.credential === previous.credential ? `sent ${request.method} ${request.target} again with the expired token (${previous.code}) instead of fetching a new one`
          : !fetched ? `sent ${request.method} ${request.target} again with another token without asking the token endpoint for one`
            : chain.reauths > 1 ? `re-authenticated and retried ${request.method} ${request.target} ${chain.reauths} times: the document says once` : undefined);
    }
    if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status) && !(status === 401 && request.credential !== previous.credential)) {
      note('no-retry-4xx', request, previous, `sent ${request.method} ${request.target} again unchanged after a ${status}${previous.code ? ` ${previous.code}` : ''}, which no retry can fix`);
    } else if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) note('no-retry-4xx', request, previous);
    if (status >= 500) {
      const prior = chain.gaps[chain.gaps.length - 1];
      chain.gaps = [...chain.gaps, gap];
      note('backoff-5xx', request, previous, gap < 10 ? `sent ${request.method} ${request.target} again ${gap} ms after a ${status}: no backoff`
        : prior !== undefined && gap < prior * BACKOFF_FACTOR - 10 ? `waited ${gap} ms after waiting ${prior} ms: not an exponential backoff (each wait at least ${BACKOFF_FACTOR}x the one before)` : undefined);
    }
    note('bounded-retries', request, previous, chain.retries > maxRetries && chain.retries === maxRetries + 1
      ? `sent ${request.method} ${request.target} again after ${maxRetries} retr${maxRetries === 1 ? 'y' : 'ies'} (and ${countSame(seen, request) - 1 - maxRetries} more in all)` : undefined);
  }
  // An expired token that was never followed by a retry: the client gave up instead of re-authenticating.
  for (const { request } of last.values()) {
    if (request.status === 401 && request.code !== undefined && expired.has(request.code)) {
      note('reauth-once', request, request, `gave up on ${request.method} ${request.target} after ${request.code} instead of fetching a new token and retrying once`);
    }
  }
  const exchanges = grading.map((def) => exchangeOf(profile, def, verdicts.get(def.behaviour)!, target));
  return {
    vendor: profile.id,
    title: profile.title,
    target,
    source: 'mock',
    startedAt: new Date(startedAt).toISOString(),
    durationMs: now - startedAt,
    strict: false,
    exchanges,
    notes: [
      `graded ${seen.length} request${seen.length === 1 ? '' : 's'} the client sent to the ${profile.id} mock`,
      ...(grading.length === 0 ? [`the ${profile.id} document states no client behaviour to grade`] : []),
    ],
  };
}

function countSame(seen: readonly SeenRequest[], request: SeenRequest): number {
  return seen.filter((s) => s.key === request.key).length;
}

const WHAT: Record<GradedBehaviour, { title: string; none: string }> = {
  'wait-retry-after': { title: 'waited Retry-After before retrying a 429', none: 'the client sent no request again after a 429 (ask for one: Prefer: errspec-error=<the 429 code>, or --rate-limit-after N)' },
  'reauth-once': { title: 're-authenticated and retried once after an expired token', none: 'the client met no expired token (ask for one: Prefer: errspec-error=<the expired-token code>, or --token-ttl S)' },
  'no-retry-4xx': { title: 'did not retry a 4xx no retry can fix', none: 'the client sent no request again after a 4xx' },
  'backoff-5xx': { title: 'backed off exponentially on 5xx', none: 'the client sent no request again after a 5xx (ask for one: --server-error-every N)' },
  'bounded-retries': { title: 'gave up within a bounded number of retries', none: 'the client retried no request' },
};

function exchangeOf(profile: Profile, def: GradingDef, verdict: Verdict, target: string): EvaluatedExchange {
  const rule = profile.rule(def.rule);
  const what = WHAT[def.behaviour];
  const evidence = verdict.violations[0] ?? verdict.lastObserved;
  let finding: Finding;
  if (verdict.violations.length > 0) {
    const more = verdict.violations.length > 1 ? ` (${verdict.violations.length} times in all)` : '';
    finding = { check: GRADE_CHECK, outcome: 'fail', message: `${what.title}: no: ${verdict.violations[0].message}${more}`, rule, expected: rule.text, actual: verdict.violations[0].message };
  } else if (verdict.observed > 0) {
    finding = { check: GRADE_CHECK, outcome: 'pass', message: `${what.title}: yes, ${verdict.observed} time${verdict.observed === 1 ? '' : 's'}`, rule };
  } else {
    finding = { check: GRADE_CHECK, outcome: 'skip', message: what.none, rule };
  }
  const request = evidence?.request;
  return {
    id: def.behaviour,
    entry: null,
    request: { method: request?.method ?? 'GET', url: `${target}${request?.target ?? '/'}`, headers: {} },
    ...(evidence ? { response: { status: evidence.previous.status, headers: {}, body: '' } } : {}),
    ok: finding.outcome !== 'fail',
    findings: [finding],
  };
}
