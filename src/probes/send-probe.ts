import { expiredTokenCode, redactedResponse, statusesOf, type OAuthSession } from '../auth/session';
import { checksForProbe, evaluate, uniformFindings } from '../engine/evaluate';
import { curlFor } from '../engine/repro';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, Exchange, Finding } from '../types';
import type { Redactor } from '../util/redact';
import type { Credential } from './credentials';
import { send, type SendResult } from './http';
import type { HostPacer } from './pacer';
import { onTheWire, type OutgoingRequest } from './request';

/** What sending one probe needs from its run; `redactor` is replaced as access tokens arrive. */
export interface ProbeContext {
  profile: Profile;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Most requests the rate-limit burst may send. */
  maxRequests: number;
  strict?: boolean;
  insecure?: boolean;
  signal?: AbortSignal;
  pacer: HostPacer;
  redactor: Redactor;
  oauth?: OAuthSession;
  /** Notes for the run's reports. */
  notes: string[];
}

/**
 * Send one probe (a burst: until the first 429, within the budget) and check the answer. Returns the probe's
 * exchange, preceded by the vendor's expired-token answer when the probe was retried with a fresh token.
 */
export async function sendProbe(ctx: ProbeContext, probe: ProbeDef, out: OutgoingRequest, credential: Credential | undefined): Promise<EvaluatedExchange[]> {
  const host = new URL(out.url).host;
  const budget = probe.burst ? Math.max(1, ctx.maxRequests) : 1;
  let limit = budget;
  const before: EvaluatedExchange[] = [];
  let renewed = false;
  let result: SendResult | undefined;
  let sentCount = 0;
  // A 429 to a probe that targets another error is the target's rate limit, not this probe's answer.
  const rateLimitIsNoAnswer = !probe.burst && !probe.expect.status.includes(429);
  let rateLimited: string | undefined;
  let resentAfter429 = false;
  let wire = out;
  while (sentCount < limit) {
    await ctx.pacer.wait(host, ctx.signal);
    if (ctx.signal?.aborted) break;
    wire = onTheWire(out);
    result = await send(wire, { timeoutMs: ctx.timeoutMs, maxBodyBytes: ctx.maxBodyBytes, insecure: ctx.insecure, signal: ctx.signal });
    sentCount++;
    const response = result.response;
    if (!response) break;
    ctx.pacer.observe(host, response);
    const expiredCode = !renewed && credential && ctx.oauth && probe.auth === 'valid' ? expiredTokenCode(ctx.profile, response) : undefined;
    if (expiredCode && credential && ctx.oauth) {
      // The seed's own advice: re-fetch the token and retry once. The expired answer is checked too.
      renewed = true;
      before.push(expiredAnswer(ctx, probe, out, credential, result));
      const next = await ctx.oauth.renew(credential);
      before.push(...next.exchanges);
      if (!next.credential) return [...before, skipped(ctx.profile, probe, recorded(out, ctx.redactor), next.skipReason ?? 'no access token')];
      credential = next.credential;
      out.headers[credential.header] = credential.value;
      ctx.notes.push(`${probe.id}: answered ${expiredCode}; errspec fetched a fresh token and sent the probe once more (the first answer is exchange ${probe.id}-token-expired)`);
      // A single probe gets its one retry on top; a burst's retry comes out of its budget.
      if (!probe.burst) limit++;
      continue;
    }
    if (rateLimitIsNoAnswer && response.status === 429) {
      // A rate limit met by an ordinary probe says nothing about the error it targets: honour Retry-After
      // (the pacer holds the next request) and send it once more; a second 429 leaves it inconclusive.
      const asked = ctx.pacer.waits.at(-1);
      const wait = response.headers['retry-after'];
      const within = wait === undefined || (asked !== undefined && asked.retryAfter === wait && asked.askedSeconds <= asked.cappedSeconds);
      if (!resentAfter429 && within) {
        resentAfter429 = true;
        limit++;
        continue;
      }
      rateLimited = wait === undefined ? 'no Retry-After' : `Retry-After: ${wait}${within ? '' : ', over --max-wait'}`;
      break;
    }
    if (!probe.burst || response.status === 429) break;
    // A burst whose credential is refused proves nothing about rate limits: stop sending.
    if (response.status === 401 || response.status === 403) break;
  }

  const request = recorded(wire, ctx.redactor);
  const exchange: Exchange = {
    id: probe.id,
    entry: null,
    request,
    expectedStatuses: probe.expect.status,
    ...(probe.expect.codes ? { expectedCodes: probe.expect.codes } : {}),
    basis: probe.basis,
    durationMs: result?.durationMs,
  };
  if (result?.response) exchange.response = redactedResponse(result.response, ctx.redactor);
  else {
    const failure = result?.transportError ?? { code: 'INTERRUPTED', message: 'the run was interrupted before this probe was answered' };
    exchange.transportError = { code: failure.code, message: ctx.redactor.text(failure.message) };
  }

  const list = checksForProbe(ctx.profile, probe.expect.status);
  const status = exchange.response?.status;
  if (probe.burst && status !== undefined && status !== 429 && status !== 401 && status !== 403) {
    // Never failed, never passed: the budget ran out before the target rate-limited.
    const reason = `no 429 within ${sentCount} requests (--max-requests ${budget}): the rate limit was not reached, so its checks are skipped`;
    ctx.notes.push(`${probe.id}: ${reason}`);
    return [...before, { ...exchange, ok: true, findings: uniformFindings(list, 'skip', reason) }];
  }
  const repro = curlFor(request, credential ? { header: credential.header, value: credential.reference } : undefined);
  if (rateLimitIsNoAnswer && status === 429) {
    // Inconclusive, never a contract failure of this probe: the target's rate limit answered instead.
    const again = resentAfter429 ? ' again after the wait' : '';
    const reason = `RATE_LIMITED: the target answered 429 (${rateLimited ?? 'rate limit'})${again}; this probe's verdict is inconclusive: rerun later or raise --max-wait`;
    ctx.notes.push(`${probe.id}: ${reason}`);
    return [...before, { ...exchange, ok: false, findings: uniformFindings(list, 'error', reason, repro) }];
  }
  const evaluated = evaluate(ctx.profile, exchange, { strict: ctx.strict, repro, checks: list });
  return [...before, { ...evaluated, findings: completeFindings(list.map((c) => c.id), evaluated.findings, exchange) }];
}

/** The vendor's expired-token answer as its own exchange, checked as the error it is. */
function expiredAnswer(ctx: ProbeContext, probe: ProbeDef, out: OutgoingRequest, credential: Credential, result: SendResult): EvaluatedExchange {
  const codes = ctx.profile.doc.auth.expiredCodes ?? [];
  const request = recorded(out, ctx.redactor);
  const exchange: Exchange = {
    id: `${probe.id}-token-expired`,
    entry: null,
    request,
    response: redactedResponse(result.response!, ctx.redactor),
    expectedStatuses: statusesOf(ctx.profile, codes),
    expectedCodes: codes,
    durationMs: result.durationMs,
  };
  return evaluate(ctx.profile, exchange, { strict: ctx.strict, repro: curlFor(request, { header: credential.header, value: credential.reference }) });
}

/** One finding per statically planned check, so Jest tests and report rows always line up. */
function completeFindings(planned: string[], findings: Finding[], exchange: Exchange): Finding[] {
  const byCheck = new Map(findings.map((f) => [f.check, f]));
  return planned.map(
    (id) => byCheck.get(id) ?? { check: id, outcome: 'skip', message: `not applicable to HTTP ${exchange.response?.status ?? 'no response'}` },
  );
}

export function skipped(profile: Profile, probe: ProbeDef, request: Exchange['request'], reason: string): EvaluatedExchange {
  const findings = uniformFindings(checksForProbe(profile, probe.expect.status), 'skip', reason);
  return { id: probe.id, entry: null, request, expectedStatuses: probe.expect.status, basis: probe.basis, ok: true, findings };
}

export function recorded(out: OutgoingRequest, redactor: Redactor): Exchange['request'] {
  return {
    method: out.method,
    url: redactor.text(out.url),
    headers: redactor.headerMap(out.headers),
    ...(out.body !== undefined ? { body: redactor.text(out.body) } : {}),
  };
}
