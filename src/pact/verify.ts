import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { curlFor } from '../engine/repro';
import { ToolFailedError } from '../errors';
import { startMock, STATE_PATH, type RunningMock } from '../mock/server';
import { invalidCredential, mockCredential, type Credential } from '../probes/credentials';
import { UNREACHABLE_CODES } from '../probes/http';
import { joinUrl } from '../probes/request';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, Finding, RecordedRequest, VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { probeIdOf, readPactFile, statesOf, type PactBody, type PactFile, type PactInteraction } from './files';
import { runPactCli, withoutPactVariables } from './pact-cli';
import { startVerifyProxy, type ProxiedExchange } from './proxy';

/** The check id of a pact interaction's verdict in errspec's reports. */
export const PACT_CHECK = 'pact-interaction';

export interface PactVerifyOptions {
  /** The pact to verify. */
  pactFile: string;
  /** The provider; without it, the vendor's embedded reference mock, started and stopped here. */
  baseUrl?: string;
  /** Where the provider sets up Pact provider states; the embedded mock's own endpoint by default. */
  stateChangeUrl?: string;
  /** The user's credential, sent where the pact shows the sample one. */
  credential?: Credential;
  /** Verify interactions whose request creates data on the provider. */
  allowWrites?: boolean;
  /** Per request, verifier to proxy and proxy to provider (default 10000 ms). */
  timeoutMs?: number;
  /** Response bodies are capped here (default 1 MiB). */
  maxBodyBytes?: number;
  /** Secrets to redact besides the credential (values of every *-env variable). */
  redactor?: Redactor;
}

export interface PactVerifyResult {
  run: VendorRun;
  /** What the Pact verifier printed, redacted (for --debug). */
  verifierOutput: string;
}

interface VerifierReport {
  result?: boolean;
  interactionResults?: { description: string; result: string }[];
  errors?: { interaction: string; mismatch?: { type: string; message?: string; mismatches?: VerifierMismatch[] } }[];
}

interface VerifierMismatch {
  type: string;
  path?: string;
  key?: string;
  mismatch?: string;
  expected?: unknown;
  actual?: unknown;
}

/** Why an interaction is not sent to this provider, or undefined to verify it. */
function skipReason(probe: ProbeDef | undefined, interaction: PactInteraction, options: PactVerifyOptions, onMock: boolean): string | undefined {
  if (onMock || !probe) return undefined;
  if (probe.writes && !options.allowWrites) return 'creates data on the provider: run with --allow-writes to verify it';
  if (probe.auth === 'valid' && !options.credential) return 'needs a valid credential: pass --token-env or --api-key-env';
  if (probe.burst && !options.stateChangeUrl) {
    return `needs the provider state "${statesOf(interaction).join('", "')}": give --state-change-url where the provider sets it up`;
  }
  return undefined;
}

/** Puts the user's credential where the pact shows errspec's public sample; the invalid sentinel stays. */
function credentialRewriter(profile: Profile, credential: Credential | undefined): ((headers: Record<string, string>) => void) | undefined {
  if (!credential) return undefined;
  const sample = mockCredential(profile);
  const invalid = invalidCredential(profile);
  return (headers) => {
    const sent = headers[sample.header];
    if (sent === undefined) return;
    if (sent === sample.value) {
      delete headers[sample.header];
      headers[credential.header] = credential.value;
    } else if (sent === invalid.value && credential.header !== invalid.header) {
      delete headers[invalid.header];
      headers[credential.header] = invalidCredential(profile, credential).value;
    }
  };
}

const first = (value: string[] | string | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function headerOf(headers: Record<string, string[] | string> | undefined, name: string): string | undefined {
  const entry = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry ? first(entry[1]) : undefined;
}

/** JSON with sorted keys, so the same document serialised twice compares equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function canonicalText(text: string): string {
  try {
    return canonical(JSON.parse(text));
  } catch {
    return text;
  }
}

function bodyText(body: PactBody | undefined): string {
  if (!body || body.content === undefined) return '';
  if (body.encoded === 'base64' && typeof body.content === 'string') return Buffer.from(body.content, 'base64').toString('utf8');
  return typeof body.content === 'string' ? body.content : JSON.stringify(body.content);
}

function queryString(query: Record<string, string[]> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, values] of Object.entries(query ?? {})) for (const value of values) params.append(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Method, decoded path, sorted query, the auth header's value and the body: what tells one verifier request from another. */
function requestKey(method: string, url: string, auth: string | undefined, body: string): string {
  const parsed = new URL(url, 'http://errspec.invalid');
  const query = [...parsed.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&');
  return [method.toUpperCase(), decodeURIComponent(parsed.pathname), query, auth ?? '', body === '' ? '' : canonicalText(body)].join(' ');
}

function interactionKey(interaction: PactInteraction, authHeader: string): string {
  const { request } = interaction;
  return requestKey(request.method, `${request.path}${queryString(request.query)}`, headerOf(request.headers, authHeader), bodyText(request.body));
}

/** The request of an interaction that was not sent, as the pact states it. */
function statedRequest(interaction: PactInteraction, target: string, redactor: Redactor): RecordedRequest {
  const { request } = interaction;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  const body = bodyText(request.body);
  return {
    method: request.method,
    url: joinUrl(target, `${request.path}${queryString(request.query)}`),
    headers: redactor.headerMap(headers),
    ...(body !== '' ? { body } : {}),
  };
}

/** Status first, then headers, then body: the order a reader checks an answer in. */
const mismatchOrder = (m: VerifierMismatch): number => (m.type === 'StatusMismatch' ? 0 : m.type === 'HeaderMismatch' ? 1 : 2);

function describeMismatch(m: VerifierMismatch): string {
  const where = m.path ?? (m.key ? `header ${m.key}` : m.type === 'StatusMismatch' ? 'status' : m.type);
  return `${where}: ${m.mismatch ?? `expected ${String(m.expected)}, got ${String(m.actual)}`}`;
}

const parsedOr = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
};

/** What the verifier says about each description: passed, or the lines of its mismatches. */
function verdicts(report: VerifierReport, descriptions: string[]): Map<string, { ok: boolean; mismatches: VerifierMismatch[]; error?: string }> {
  const out = new Map<string, { ok: boolean; mismatches: VerifierMismatch[]; error?: string }>();
  for (const result of report.interactionResults ?? []) out.set(result.description, { ok: result.result === 'OK', mismatches: [] });
  // Longest first: a description that ends another's must not take its errors.
  const byLength = [...descriptions].sort((a, b) => b.length - a.length);
  for (const error of report.errors ?? []) {
    const description = byLength.find((d) => error.interaction === d || error.interaction.endsWith(` - ${d}`));
    if (!description) continue;
    const verdict = out.get(description) ?? { ok: false, mismatches: [] };
    verdict.ok = false;
    if (error.mismatch?.mismatches) verdict.mismatches.push(...error.mismatch.mismatches);
    else verdict.error = error.mismatch?.message ?? error.mismatch?.type ?? 'verification error';
    out.set(description, verdict);
  }
  return out;
}

/**
 * Verify a provider against a pact with the Pact verifier (the `pact verifier` CLI of @pact-foundation/pact-cli),
 * through errspec's recording proxy. One exchange and one `pact-interaction` finding per interaction.
 */
export async function verifyPact(profile: Profile, options: PactVerifyOptions): Promise<PactVerifyResult> {
  const started = Date.now();
  const pact = readPactFile(options.pactFile);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const redactor = (options.redactor ?? new Redactor()).with(options.credential?.secret ? [options.credential.secret] : [], options.credential ? [options.credential.header] : []);
  let mock: RunningMock | undefined;
  const work = mkdtempSync(path.join(os.tmpdir(), 'errspec-pact-verify-'));
  let proxy: Awaited<ReturnType<typeof startVerifyProxy>> | undefined;
  try {
    if (!options.baseUrl) mock = await startMock(profile);
    const target = options.baseUrl ?? mock!.url;
    const stateChangeUrl = mock ? `${mock.url}${STATE_PATH}` : options.stateChangeUrl;
    const plan = pact.interactions.map((interaction) => {
      const probeId = probeIdOf(profile, interaction.description);
      const probe = profile.probes.find((p) => p.id === probeId);
      return { interaction, probeId, probe, skip: skipReason(probe, interaction, options, Boolean(mock)) };
    });
    const kept = plan.filter((p) => !p.skip).map((p) => p.interaction);
    let report: VerifierReport = {};
    let verifierOutput = '';
    if (kept.length > 0) {
      proxy = await startVerifyProxy({ target, rewrite: credentialRewriter(profile, options.credential), redactor, timeoutMs, maxBodyBytes: options.maxBodyBytes ?? 1_048_576 });
      const filtered = path.join(work, 'pact.json');
      writeFileSync(filtered, JSON.stringify({ ...pact, interactions: kept } satisfies PactFile));
      const reportFile = path.join(work, 'verification.json');
      const args = [
        'verifier', '--file', filtered, '--hostname', '127.0.0.1', '--port', String(proxy.port), '--transport', 'http',
        '--provider-name', pact.provider.name, '--request-timeout', String(timeoutMs), '--json', reportFile, '--no-colour',
        ...(stateChangeUrl ? ['--state-change-url', stateChangeUrl, '--state-change-teardown'] : []),
      ];
      const result = await runPactCli(args, { env: withoutPactVariables(), redactor });
      verifierOutput = `${result.stdout}${result.stderr}`;
      if (!existsSync(reportFile)) {
        throw new ToolFailedError(`the Pact verifier did not complete (exit ${result.code}): ${(result.stderr || result.stdout).trim().split('\n').slice(-5).join(' | ')}`);
      }
      // The verifier saw the provider's answers unredacted: a secret echoed back would reach every report through its mismatches.
      report = redactor.deep(JSON.parse(readFileSync(reportFile, 'utf8')) as VerifierReport);
    }
    const results = verdicts(report, kept.map((i) => i.description));
    const authHeader = mockCredential(profile).header;
    const recorded = new Map<string, ProxiedExchange[]>();
    for (const exchange of proxy?.exchanges ?? []) {
      const key = requestKey(exchange.sent.method, exchange.sent.url, exchange.sent.headers[authHeader], exchange.sent.body);
      recorded.set(key, [...(recorded.get(key) ?? []), exchange]);
    }
    const source = path.basename(options.pactFile);
    const exchanges = plan.map(({ interaction, probeId, probe, skip }): EvaluatedExchange => {
      const seen = skip ? undefined : recorded.get(interactionKey(interaction, authHeader))?.shift();
      const request = seen?.request ?? statedRequest(interaction, target, redactor);
      const states = statesOf(interaction);
      const rule = {
        id: `pact.${pact.consumer.name}.${pact.provider.name}.${probeId}`,
        source: `pact ${source}`,
        text: `${states.length > 0 ? `Given ${states.join(' and ')}, upon` : 'Upon'} receiving "${interaction.description}", the provider answers HTTP ${interaction.response.status} as the pact states`,
      };
      const finding = findingFor(interaction, skip, results.get(interaction.description), seen, rule);
      if (finding.outcome === 'fail' || finding.outcome === 'error') {
        const credentialRef = probe?.auth === 'valid' && options.credential ? { header: options.credential.header, value: options.credential.reference } : undefined;
        finding.repro = curlFor(request, credentialRef);
      }
      return {
        id: probeId,
        entry: null,
        request,
        ...(seen?.response ? { response: seen.response } : {}),
        ...(seen?.transportError ? { transportError: seen.transportError } : {}),
        expectedStatuses: [interaction.response.status],
        ...(seen ? { durationMs: seen.durationMs } : {}),
        ok: finding.outcome !== 'fail' && finding.outcome !== 'error',
        findings: [finding],
      };
    });
    const run: VendorRun = {
      vendor: profile.id,
      title: profile.title,
      target,
      targetKind: options.baseUrl ? 'base-url' : 'embedded-mock',
      source: 'pact',
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      strict: false,
      exchanges,
      notes: [
        `pact ${source}: ${pact.interactions.length} interactions between ${pact.consumer.name} and ${pact.provider.name}, ${kept.length} verified`,
        mock ? 'provider states set by the embedded reference mock' : stateChangeUrl ? `provider states set up at ${redactor.text(stateChangeUrl)}` : 'no provider state set up (no --state-change-url)',
      ],
    };
    const sent = exchanges.filter((e) => e.response || e.transportError);
    if (sent.length > 0 && sent.every((e) => e.transportError && UNREACHABLE_CODES.has(e.transportError.code))) {
      run.unreachable = `${redactor.text(target)} could not be reached: ${sent[0].transportError!.message}`;
    }
    return { run, verifierOutput };
  } finally {
    await proxy?.close();
    await mock?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function findingFor(
  interaction: PactInteraction,
  skip: string | undefined,
  verdict: { ok: boolean; mismatches: VerifierMismatch[]; error?: string } | undefined,
  seen: ProxiedExchange | undefined,
  rule: Finding['rule'],
): Finding {
  const name = `interaction "${interaction.description}"`;
  if (skip) return { check: PACT_CHECK, outcome: 'skip', message: `${name} not verified: ${skip}`, rule };
  if (seen?.transportError) return { check: PACT_CHECK, outcome: 'error', message: `${name}: ${seen.transportError.code}: ${seen.transportError.message}`, rule };
  if (!verdict) return { check: PACT_CHECK, outcome: 'error', message: `${name}: the Pact verifier reported no result for it`, rule };
  if (verdict.ok) return { check: PACT_CHECK, outcome: 'pass', message: `${name} verified`, rule };
  if (verdict.mismatches.length === 0) return { check: PACT_CHECK, outcome: 'error', message: `${name} could not be verified: ${verdict.error ?? 'unknown error'}`, rule };
  const mismatches = [...verdict.mismatches].sort((a, b) => mismatchOrder(a) - mismatchOrder(b));
  const keyed = (pick: (m: VerifierMismatch) => unknown) =>
    Object.fromEntries(mismatches.map((m) => [m.path ?? (m.key ? `header ${m.key}` : m.type === 'StatusMismatch' ? 'status' : m.type), parsedOr(pick(m))]));
  return {
    check: PACT_CHECK,
    outcome: 'fail',
    message: `${name} does not match the pact: ${mismatches.map(describeMismatch).join('; ')}`,
    rule,
    expected: keyed((m) => m.expected),
    actual: keyed((m) => m.actual),
  };
}
