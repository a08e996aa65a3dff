import { OAuthClient, tokenRequest, tokenRequestCurl, type OAuthClientSettings } from '../auth/oauth';
import { ACCESS_TOKEN_ENV, OAuthSession } from '../auth/session';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { invalidCredential, type Credential } from './credentials';
import { UNREACHABLE_CODES } from './http';
import { HostPacer } from './pacer';
import { runPool } from './pool';
import { requestFor } from './request';
import { recorded, sendProbe, skipped, type ProbeContext } from './send-probe';

export interface ProbeRunOptions {
  baseUrl: string;
  /** The user's credential (or the mock credential); probes needing one are skipped without it (or OAuth). */
  credential?: Credential;
  /** OAuth2 client credentials: a token is fetched before the first probe that needs one, and once more on the vendor's expired-token answer. */
  oauth?: OAuthClientSettings;
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
  /** Probes of this vendor in flight at once (default 1: one request at a time to the target). The burst always runs alone. */
  concurrency?: number;
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

/** Send every probe of a vendor (one at a time unless `concurrency` says otherwise) and check each exchange. The runner never prints. */
export async function runProbes(profile: Profile, options: ProbeRunOptions): Promise<VendorRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const maxWaitSeconds = options.maxWaitSeconds ?? 60;
  const ctx: ProbeContext = {
    profile,
    timeoutMs,
    maxBodyBytes,
    maxRequests: options.maxRequests ?? 60,
    strict: options.strict,
    insecure: options.insecure,
    signal: options.signal,
    pacer: new HostPacer(maxWaitSeconds),
    redactor: (options.redactor ?? new Redactor()).with(
      [options.credential?.secret, options.oauth?.clientId, options.oauth?.clientSecret].filter((s): s is string => Boolean(s)),
      [options.credential?.header ?? 'authorization'],
    ),
    notes: [],
  };
  // With --oauth-client-auth basic the wire carries `Basic base64(id:secret)`: that form, and the id and secret decoded, are secrets too.
  if (options.oauth) ctx.redactor = ctx.redactor.learnFrom(tokenRequest(options.oauth).headers);
  if (options.oauth) {
    const client = new OAuthClient(options.oauth, {
      send: { timeoutMs, maxBodyBytes, insecure: options.insecure, signal: options.signal },
      pacer: ctx.pacer,
      signal: options.signal,
      // Every access token is a secret from the moment it arrives.
      onToken: (token) => (ctx.redactor = ctx.redactor.with([token])),
    });
    ctx.oauth = new OAuthSession(client, profile, { redactor: () => ctx.redactor, strict: options.strict });
  }

  const probes = options.probes ?? profile.probes;
  const results: (EvaluatedExchange[] | undefined)[] = probes.map(() => undefined);
  const runOne = async (index: number): Promise<void> => {
    if (options.signal?.aborted) return;
    const { exchanges, sent } = await runProbe(ctx, probes[index], options);
    // A probe cut short by the interruption did not finish: report what finished, not the interruption as a target error.
    if (sent && options.signal?.aborted) return;
    results[index] = exchanges;
    for (const exchange of exchanges) options.onExchange?.(exchange);
  };
  const indices = probes.map((_, i) => i);
  await runPool(indices.filter((i) => !probes[i].burst), options.concurrency ?? 1, runOne);
  // The burst runs alone and last: its requests are counted alone, and its 429 cannot starve the other probes.
  await runPool(indices.filter((i) => probes[i].burst), 1, runOne);

  const exchanges = results.flatMap((r) => r ?? []);
  const notes = [...ctx.notes, ...interruptionNotes(probes, results), ...pacingNotes(ctx.pacer, maxWaitSeconds), ...oauthNotes(ctx.oauth)];
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
  } else if (ctx.oauth?.failure) {
    // Without a token the probes that matter cannot run: as bad as an unreachable target (exit 3).
    run.unreachable = ctx.oauth.failure;
  }
  return run;
}

/** One probe: its credential (fetching a token if it is the first to need one), then its exchanges. */
async function runProbe(ctx: ProbeContext, probe: ProbeDef, options: ProbeRunOptions): Promise<{ exchanges: EvaluatedExchange[]; sent: boolean }> {
  const out = requestFor(probe, options.baseUrl, options.ids ?? ctx.profile.doc.ids, acceptOf(ctx.profile));
  const skipReason =
    probe.skippedByConfig ? `skipped by config (probes.${probe.id}.skip: true): not sent`
    : probe.writes && !options.allowWrites ? 'creates data on the target: run with --allow-writes to send it'
    : probe.burst && !options.rateLimitProbe ? 'rate-limit burst is opt-in: run with --rate-limit-probe'
    : probe.auth === 'valid' && !options.credential && !ctx.oauth ? 'needs a valid credential: pass --token-env, --api-key-env or OAuth client credentials (--oauth-token-url)'
    : undefined;
  if (skipReason) return { exchanges: [skipped(ctx.profile, probe, recorded(out, ctx.redactor), skipReason)], sent: false };
  let credential: Credential | undefined;
  if (probe.auth === 'invalid') credential = invalidCredential(ctx.profile, options.credential);
  else if (probe.auth === 'valid' && ctx.oauth) {
    const auth = await ctx.oauth.credential();
    if (!auth.credential) {
      return { exchanges: [...auth.exchanges, skipped(ctx.profile, probe, recorded(out, ctx.redactor), auth.skipReason ?? 'no access token')], sent: auth.exchanges.length > 0 };
    }
    credential = auth.credential;
  } else if (probe.auth === 'valid') credential = options.credential;
  if (credential) out.headers[credential.header] = credential.value;
  return { exchanges: await sendProbe(ctx, probe, out, credential), sent: true };
}

const acceptOf = (profile: Profile): string => [...profile.doc.envelope.mediaTypes, 'application/json'].join(', ');

function interruptionNotes(probes: ProbeDef[], results: (EvaluatedExchange[] | undefined)[]): string[] {
  const missing = probes.filter((_, i) => results[i] === undefined);
  if (missing.length === 0) return [];
  const first = results.findIndex((r) => r === undefined);
  return results.slice(first).every((r) => r === undefined)
    ? [`interrupted: probe ${probes[first].id} and those after it did not run`]
    : [`interrupted: probes ${missing.map((p) => p.id).join(', ')} did not run`];
}

function pacingNotes(pacer: HostPacer, maxWaitSeconds: number): string[] {
  const notes = pacer.waits
    .filter((w) => w.askedSeconds > w.cappedSeconds)
    .map((w) => `${w.host} asked for Retry-After: ${w.retryAfter} (${w.askedSeconds} s); errspec holds back at most --max-wait ${maxWaitSeconds} s`);
  if (pacer.waitedMs > 0) notes.push(`honoured Retry-After: waited ${(pacer.waitedMs / 1000).toFixed(1)} s before further requests to rate-limited hosts`);
  return notes;
}

function oauthNotes(session: OAuthSession | undefined): string[] {
  if (!session || session.client.requests === 0) return [];
  const { settings, requests } = session.client;
  return [
    `OAuth client credentials: ${requests} token request(s) to ${settings.tokenUrl} (client authentication: ${settings.clientAuth}); `
      + `reproductions read the access token from $${ACCESS_TOKEN_ENV}: ${ACCESS_TOKEN_ENV}=$(${tokenRequestCurl(settings).replace(/^curl -i /, 'curl -s ')} | jq -r .access_token)`,
  ];
}
