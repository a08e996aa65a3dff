import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../profile/profile';
import type { MockResponseDef, ProbeDef } from '../profile/types';
import { fillPath } from '../probes/request';
import { INVALID_CREDENTIAL } from '../probes/credentials';

/** Faults on demand, for testing a client's error handling (SPEC §1 job 4). */
export interface MockFaults {
  /** Answer 429 (the vendor's documented rate-limit error) once more than N requests arrived in the window. */
  rateLimitAfter?: number;
  /** Window of the rate limit in seconds (default 60). */
  rateLimitWindowSeconds?: number;
  /** Override the Retry-After value of the 429. */
  retryAfter?: string;
  /** Answer every Nth request with the vendor's documented 5xx (1 = every request). */
  serverErrorEvery?: number;
  /** Delay every answer by this many milliseconds. */
  latencyMs?: number;
}

export interface MockOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  faults?: MockFaults;
}

export interface RunningMock {
  url: string;
  port: number;
  /** Requests answered so far, control requests excluded. */
  readonly requests: number;
  /** Set the provider state: requests matching that state's probe get its documented error. */
  setState(state: string | undefined): void;
  close(): Promise<void>;
}

/** Path of the provider-state endpoint (Pact verifier `--state-change-url`). */
export const STATE_PATH = '/_errspec/provider-states';

interface Incoming {
  method: string;
  pathname: string;
  query: URLSearchParams;
  auth: 'none' | 'invalid' | 'valid';
  body: string;
}

/**
 * The reference mock of a vendor: answers every probe as the vendor documents, from the same profile.
 * A credential is valid unless it is errspec's invalid sentinel, so any client's own token works.
 */
export async function startMock(profile: Profile, options: MockOptions = {}): Promise<RunningMock> {
  const faults = options.faults ?? {};
  let state: string | undefined;
  const mediaType = profile.doc.envelope.mediaTypes[0];
  let requests = 0;
  let windowStart = Date.now();
  let windowCount = 0;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_048_576) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://mock.invalid');
      if (url.pathname === STATE_PATH && req.method === 'POST') {
        state = providerState(body);
        return send(res, { status: 200, body: {} }, 'application/json');
      }
      requests++;
      const now = Date.now();
      const windowMs = (faults.rateLimitWindowSeconds ?? 60) * 1000;
      if (now - windowStart > windowMs) {
        windowStart = now;
        windowCount = 0;
      }
      windowCount++;
      const incoming: Incoming = {
        method: req.method ?? 'GET',
        pathname: url.pathname,
        query: url.searchParams,
        auth: authOf(profile, req.headers),
        body,
      };
      const answer = (): void => {
        if (faults.rateLimitAfter !== undefined && windowCount > faults.rateLimitAfter) {
          return send(res, rateLimited(profile, faults, Math.ceil((windowStart + windowMs - now) / 1000)), mediaType);
        }
        if (faults.serverErrorEvery && requests % faults.serverErrorEvery === 0) return send(res, serverError(profile), mediaType);
        send(res, route(profile, incoming, state), mediaType);
      };
      if (faults.latencyMs) setTimeout(answer, faults.latencyMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get requests() {
      return requests;
    },
    setState(next) {
      state = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Pact sends `{state, params, action}`; errspec's own tests may send `{state}`. Teardown clears it. */
function providerState(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { state?: string; action?: string };
    return parsed.action === 'teardown' ? undefined : parsed.state;
  } catch {
    return undefined;
  }
}

function authOf(profile: Profile, headers: http.IncomingHttpHeaders): Incoming['auth'] {
  const { scheme, header } = profile.doc.auth;
  const raw = headers[(scheme === 'api-key' ? header ?? 'x-api-key' : 'authorization').toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || value.trim() === '') return 'none';
  const credential = scheme === 'bearer' ? value.replace(/^Bearer\s+/i, '') : value;
  if (scheme === 'bearer' && !/^Bearer\s+\S/i.test(value)) return 'invalid';
  return credential.startsWith(INVALID_CREDENTIAL) ? 'invalid' : 'valid';
}

function pathMatches(profile: Profile, probe: ProbeDef, incoming: Incoming): boolean {
  const target = new URL(fillPath(probe.path, profile.doc.ids), 'http://mock.invalid');
  if (target.pathname !== incoming.pathname) return false;
  for (const [key, value] of target.searchParams) if (incoming.query.get(key) !== value) return false;
  return true;
}

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Pick the probe this request reproduces; its documented error is the answer. */
function route(profile: Profile, incoming: Incoming, state: string | undefined): MockResponseDef {
  const probes = profile.probes;
  const stateProbe = state ? probes.find((p) => p.state === state) : undefined;
  if (stateProbe && (stateProbe.burst || (stateProbe.method === incoming.method && pathMatches(profile, stateProbe, incoming)))) {
    return stateProbe.mock;
  }
  const byAuth = (auth: ProbeDef['auth']) => probes.find((p) => p.auth === auth && !p.burst);
  if (incoming.auth !== 'valid') {
    const probe = byAuth(incoming.auth) ?? byAuth('none') ?? byAuth('invalid');
    if (probe) return probe.mock;
  }
  const samePath = probes.filter((p) => !p.burst && p.auth === 'valid' && pathMatches(profile, p, incoming));
  const sameMethod = samePath.filter((p) => p.method === incoming.method);
  if (sameMethod.length > 0) {
    const exact = sameMethod.find((p) => p.body !== undefined && p.body === incoming.body);
    if (exact) return exact.mock;
    const bodyKind = sameMethod.find((p) => p.body !== undefined && isJson(p.body) === isJson(incoming.body) && !p.writes);
    if (bodyKind) return bodyKind.mock;
    const noBody = sameMethod.find((p) => p.body === undefined);
    if (noBody) return noBody.mock;
    return sameMethod[0].mock;
  }
  const wrongMethod = probes.find((p) => p.expect.status.includes(405) && new URL(fillPath(p.path, profile.doc.ids), 'http://mock.invalid').pathname === incoming.pathname);
  if (wrongMethod && samePath.length > 0) return wrongMethod.mock;
  const notFound = probes.find((p) => p.auth === 'valid' && p.expect.status.includes(404));
  return notFound?.mock ?? { status: 404, body: {} };
}

function rateLimited(profile: Profile, faults: MockFaults, secondsLeft: number): MockResponseDef {
  const burst = profile.probes.find((p) => p.burst);
  const base = burst?.mock ?? { status: 429, body: {} };
  const headers = { ...(base.headers ?? {}) };
  const retryName = Object.keys(headers).find((h) => h.toLowerCase() === 'retry-after');
  if (faults.retryAfter !== undefined) headers[retryName ?? 'retry-after'] = faults.retryAfter;
  else if (retryName) headers[retryName] = String(Math.max(1, Math.min(Number(headers[retryName]) || secondsLeft, secondsLeft)));
  return { ...base, headers };
}

function serverError(profile: Profile): MockResponseDef {
  return profile.doc.serverError ?? { status: 500, body: {} };
}

function send(res: http.ServerResponse, response: MockResponseDef, mediaType: string): void {
  const body = JSON.stringify(response.body);
  const headers: Record<string, string> = { 'content-type': mediaType, ...lower(response.headers ?? {}) };
  res.writeHead(response.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
