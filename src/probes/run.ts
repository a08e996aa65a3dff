import { checksForProbe, evaluate } from '../engine/evaluate';
import { curlFor } from '../engine/repro';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, Exchange, Finding, VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { invalidCredential, type Credential } from './credentials';
import { send, UNREACHABLE_CODES, type SendResult } from './http';
import { HostPacer } from './pacer';
import { requestFor, type OutgoingRequest } from './request';

export interface ProbeRunOptions {
  baseUrl: string;
  /** The user's credential (or the mock credential); probes needing one are skipped without it. */
  credential?: Credential;
  /** Per request (default 10000 ms). */
  timeoutMs?: number;
  /** Response bodies are capped here (default 1 MiB). */
  maxBodyBytes?: number;
  strict?: boolean;
  /** Probes that create data run only with this (SPEC §7). */
  allowWrites?: boolean;
  /** Send the opt-in rate-limit burst. */
  rateLimitProbe?: boolean;
  /** Most requests the burst may send (default 60). */
  maxRequests?: number;
  /** Most seconds errspec waits on a Retry-After before its next request to that host (default 60). */
  maxWaitSeconds?: number;
  /** Probes after config overrides (default: the profile's). */
  probes?: ProbeDef[];
  /** Ids after config overrides (default: the profile's). */
  ids?: Record<string, string>;
  /** Extra secrets to redact (values of every *-env variable). */
  redactor?: Redactor;
  /** Called as each exchange completes, for progress lines. */
  onExchange?: (exchange: EvaluatedExchange) => void;
  /** Stop early (SIGINT): probes not yet sent are left out. */
  signal?: AbortSignal;
  /** Accept any TLS certificate (`--insecure`). */
  insecure?: boolean;
}

/** Send every probe of a vendor, one at a time, and check each exchange. The runner never prints. */
export async function runProbes(profile: Profile, options: ProbeRunOptions): Promise<VendorRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const redactor = (options.redactor ?? new Redactor()).with(options.credential?.secret ? [options.credential.secret] : [], [
    options.credential?.header ?? 'authorization',
  ]);
  const pacer = new HostPacer(options.maxWaitSeconds ?? 60);
  const ids = options.ids ?? profile.doc.ids;
  const exchanges: EvaluatedExchange[] = [];
  const notes: string[] = [];
  const accept = [...profile.doc.envelope.mediaTypes, 'application/json'].join(', ');

  for (const probe of options.probes ?? profile.probes) {
    if (options.signal?.aborted) {
      notes.push(`interrupted: probe ${probe.id} and those after it did not run`);
      break;
    }
    const out = requestFor(probe, options.baseUrl, ids, accept);
    const credential = probe.auth === 'none' ? undefined : probe.auth === 'invalid' ? invalidCredential(profile, options.credential) : options.credential;
    if (credential) out.headers[credential.header] = credential.value;
    const skipReason =
      probe.writes && !options.allowWrites ? 'creates data on the target: run with --allow-writes to send it'
      : probe.burst && !options.rateLimitProbe ? 'rate-limit burst is opt-in: run with --rate-limit-probe'
      : probe.auth === 'valid' && !options.credential ? 'needs a valid credential: pass --token-env or --api-key-env'
      : undefined;
    const exchange = skipReason
      ? skipped(profile, probe, recorded(out, redactor), skipReason)
      : await sendProbe(profile, probe, out, credential, { ...options, timeoutMs, maxBodyBytes, redactor, pacer });
    // A probe cut short by the interruption did not finish: report what finished, not the interruption as a target error.
    if (!skipReason && options.signal?.aborted) {
      notes.push(`interrupted: probe ${probe.id} and those after it did not run`);
      break;
    }
    exchanges.push(exchange);
    options.onExchange?.(exchange);
  }
  const run: VendorRun = {
    vendor: profile.id,
    title: profile.title,
    target: options.baseUrl,
    source: 'probe',
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    strict: Boolean(options.strict),
    exchanges,
    notes,
  };
  const sent = exchanges.filter((e) => e.response || e.transportError);
  if (sent.length > 0 && sent.every((e) => e.transportError && UNREACHABLE_CODES.has(e.transportError.code))) {
    run.unreachable = `${options.baseUrl} could not be reached: ${sent[0].transportError!.message}`;
  }
  return run;
}

interface SendContext extends ProbeRunOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  redactor: Redactor;
  pacer: HostPacer;
}

async function sendProbe(profile: Profile, probe: ProbeDef, out: OutgoingRequest, credential: Credential | undefined, ctx: SendContext): Promise<EvaluatedExchange> {
  const host = new URL(out.url).host;
  const limit = probe.burst ? Math.max(1, ctx.maxRequests ?? 60) : 1;
  let result: SendResult | undefined;
  let sentCount = 0;
  for (let i = 0; i < limit; i++) {
    await ctx.pacer.wait(host, ctx.signal);
    if (ctx.signal?.aborted) break;
    result = await send(out, { timeoutMs: ctx.timeoutMs, maxBodyBytes: ctx.maxBodyBytes, insecure: ctx.insecure, signal: ctx.signal });
    sentCount++;
    if (result.response) ctx.pacer.observe(host, result.response);
    // A burst stops at the first 429 (or at the first failure to get any answer).
    if (!probe.burst || !result.response || result.response.status === 429) break;
  }
  const request = recorded(out, ctx.redactor);
  const exchange: Exchange = {
    id: probe.id,
    entry: null,
    request,
    expectedStatuses: probe.expect.status,
    ...(probe.expect.codes ? { expectedCodes: probe.expect.codes } : {}),
    durationMs: result?.durationMs,
  };
  if (result?.response) {
    exchange.response = {
      ...result.response,
      headers: ctx.redactor.headerMap(result.response.headers),
      body: ctx.redactor.text(result.response.body),
    };
  } else {
    const failure = result?.transportError ?? { code: 'INTERRUPTED', message: 'the run was interrupted before this probe was answered' };
    exchange.transportError = { code: failure.code, message: ctx.redactor.text(failure.message) };
  }

  const repro = curlFor(request, credential ? { header: credential.header, value: credential.reference } : undefined);
  const list = checksForProbe(profile, probe.expect.status);
  if (probe.burst && exchange.response && exchange.response.status !== 429) {
    return skipped(profile, probe, request, `no 429 within ${sentCount} requests (--max-requests ${limit}): rate limit not observed`);
  }
  const evaluated = evaluate(profile, exchange, { strict: ctx.strict, repro, checks: list });
  return { ...evaluated, findings: completeFindings(list.map((c) => c.id), evaluated.findings, exchange) };
}

/** One finding per statically planned check, so Jest tests and report rows always line up. */
function completeFindings(planned: string[], findings: Finding[], exchange: Exchange): Finding[] {
  const byCheck = new Map(findings.map((f) => [f.check, f]));
  return planned.map(
    (id) => byCheck.get(id) ?? { check: id, outcome: 'skip', message: `not applicable to HTTP ${exchange.response?.status ?? 'no response'}` },
  );
}

function skipped(profile: Profile, probe: ProbeDef, request: Exchange['request'], reason: string): EvaluatedExchange {
  const findings = checksForProbe(profile, probe.expect.status).map((c): Finding => ({ check: c.id, outcome: 'skip', message: reason }));
  return { id: probe.id, entry: null, request, expectedStatuses: probe.expect.status, ok: true, findings };
}

function recorded(out: OutgoingRequest, redactor: Redactor): Exchange['request'] {
  return {
    method: out.method,
    url: redactor.text(out.url),
    headers: redactor.headerMap(out.headers),
    ...(out.body !== undefined ? { body: redactor.text(out.body) } : {}),
  };
}
