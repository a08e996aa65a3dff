import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../profile/profile';
import { randomBytes } from 'node:crypto';
import type { MockResponseDef, ProbeDef, TokenEndpointDef } from '../profile/types';
import { fillPath } from '../probes/request';
import { INVALID_CREDENTIAL } from '../probes/credentials';
import { isJson } from '../util/json';

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

/** The OAuth2 client-credentials token endpoint of vendors whose profile has one (opescare: POST /oauth/token). */
export interface MockOAuthOptions {
  /** Only this client id is accepted (default: any). */
  clientId?: string;
  /** Only this client secret is accepted (default: any but errspec's invalid sentinel). */
  clientSecret?: string;
  /** Lifetime of issued tokens in seconds (default: the profile's, opescare 3600). */
  ttlSeconds?: number;
}

export interface MockOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  faults?: MockFaults;
  /** Probes to answer besides the profile's own, such as those derived from an OpenAPI document (`verify --openapi`). */
  probes?: ProbeDef[];
  oauth?: MockOAuthOptions;
  /** The mock's clock for token expiry, in epoch milliseconds (tests move it forward). */
  now?: () => number;
}

export interface RunningMock {
  url: string;
  port: number;
  /** Requests answered so far, control requests excluded, token requests included. */
  readonly requests: number;
  /** Requests to the token endpoint so far. */
  readonly tokenRequests: number;
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
  auth: 'none' | 'invalid' | 'valid' | 'expired';
  body: string;
}

/** Prefix of the access tokens the mock issues: any other credential keeps its old meaning. */
const ISSUED_TOKEN_PREFIX = 'errspec-mock-token-';

/**
 * The reference mock of a vendor: answers every probe as the vendor documents, from the same profile.
 * A credential is valid unless it is errspec's invalid sentinel, so any client's own token works; a token
 * the mock's own token endpoint issued is valid until its TTL, then answered with the vendor's expired-token error.
 */
export async function startMock(profile: Profile, options: MockOptions = {}): Promise<RunningMock> {
  const faults = options.faults ?? {};
  // The profile's probes first: an extra probe never changes how a documented one is answered.
  const probes = [...profile.probes, ...(options.probes ?? [])];
  const clock = options.now ?? Date.now;
  let state: string | undefined;
  const mediaType = profile.doc.envelope.mediaTypes[0];
  let requests = 0;
  let tokenRequests = 0;
  const issued = new Map<string, number>();
  let windowStart = Date.now();
  let windowCount = 0;
  const challenge = challengeOf(profile);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_048_576) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = requestTarget(req.url);
      // `GET //[/` is no URL (an authority with a broken IPv6 host): a client error, not a reason to crash the mock.
      if (!url) return send(res, { status: 400, body: { error: 'bad_request', message: 'the request target is not a valid URL path' } }, 'application/json');
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
      const tokenEndpoint = profile.doc.auth.tokenEndpoint;
      const isTokenRequest = tokenEndpoint !== undefined && url.pathname === tokenEndpoint.path;
      if (isTokenRequest) tokenRequests++;
      const incoming: Incoming = {
        method: req.method ?? 'GET',
        pathname: url.pathname,
        query: url.searchParams,
        auth: authOf(profile, req.headers, issued, clock()),
        body,
      };
      const answer = (): void => {
        if (faults.rateLimitAfter !== undefined && windowCount > faults.rateLimitAfter) {
          return send(res, rateLimited(profile, faults, windowStart + windowMs), mediaType, challenge);
        }
        if (faults.serverErrorEvery && requests % faults.serverErrorEvery === 0) return send(res, serverError(profile), mediaType);
        if (isTokenRequest) return send(res, tokenAnswer(tokenEndpoint, options.oauth ?? {}, req, body, issued, clock()), 'application/json', 'Basic realm="token"');
        send(res, route(profile, probes, incoming, state), mediaType, challenge);
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
    get tokenRequests() {
      return tokenRequests;
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

function authOf(profile: Profile, headers: http.IncomingHttpHeaders, issued: Map<string, number>, now: number): Incoming['auth'] {
  const { scheme, header } = profile.doc.auth;
  const raw = headers[(scheme === 'api-key' ? header ?? 'x-api-key' : 'authorization').toLowerCase()];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (!value || value.trim() === '') return 'none';
  const credential = scheme === 'bearer' ? value.replace(/^Bearer\s+/i, '') : value;
  if (scheme === 'bearer' && !/^Bearer\s+\S/i.test(value)) return 'invalid';
  if (credential.startsWith(INVALID_CREDENTIAL)) return 'invalid';
  const expiresAt = issued.get(credential);
  // Only tokens this mock issued can expire; a token that merely looks like one was never issued.
  if (expiresAt !== undefined) return now >= expiresAt ? 'expired' : 'valid';
  return credential.startsWith(ISSUED_TOKEN_PREFIX) ? 'invalid' : 'valid';
}

/** RFC 6749 §4.4: client credentials in the form body or HTTP Basic; a refused client gets the vendor's error. */
function tokenAnswer(
  endpoint: TokenEndpointDef, oauth: MockOAuthOptions, req: http.IncomingMessage, body: string, issued: Map<string, number>, now: number,
): MockResponseDef {
  const form = new URLSearchParams(body);
  const basic = /^Basic\s+(\S+)/i.exec(req.headers.authorization ?? '');
  let clientId = form.get('client_id') ?? undefined;
  let clientSecret = form.get('client_secret') ?? undefined;
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const unform = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));
    clientId = unform(decoded.slice(0, colon < 0 ? decoded.length : colon));
    clientSecret = colon < 0 ? undefined : unform(decoded.slice(colon + 1));
  }
  if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
    return endpoint.mock.invalidRequest ?? endpoint.mock.refused;
  }
  const refused =
    !clientId || !clientSecret || clientSecret.startsWith(INVALID_CREDENTIAL)
    || (oauth.clientId !== undefined && clientId !== oauth.clientId)
    || (oauth.clientSecret !== undefined && clientSecret !== oauth.clientSecret);
  if (refused) {
    // RFC 6749 §5.2: a client that tried HTTP Basic is told which scheme to use.
    const challenge: Record<string, string> = basic ? { 'www-authenticate': 'Basic realm="token"' } : {};
    return { ...endpoint.mock.refused, headers: { ...(endpoint.mock.refused.headers ?? {}), ...challenge } };
  }
  const ttl = oauth.ttlSeconds ?? endpoint.ttlSeconds;
  const token = `${ISSUED_TOKEN_PREFIX}${randomBytes(16).toString('hex')}`;
  issued.set(token, now + ttl * 1000);
  const scope = form.get('scope');
  return {
    status: 200,
    headers: { 'cache-control': 'no-store', pragma: 'no-cache' },
    body: { access_token: token, token_type: 'Bearer', expires_in: ttl, ...(scope ? { scope } : {}) },
  };
}

function pathMatches(profile: Profile, probe: ProbeDef, incoming: Incoming): boolean {
  const target = new URL(fillPath(probe.path, profile.doc.ids), 'http://mock.invalid');
  if (target.pathname !== incoming.pathname) return false;
  for (const [key, value] of target.searchParams) if (incoming.query.get(key) !== value) return false;
  return true;
}

/** Pick the probe this request reproduces; its documented error is the answer. */
function route(profile: Profile, probes: ProbeDef[], incoming: Incoming, state: string | undefined): MockResponseDef {
  const stateProbe = state ? probes.find((p) => p.state === state) : undefined;
  if (stateProbe && (stateProbe.burst || (stateProbe.method === incoming.method && pathMatches(profile, stateProbe, incoming)))) {
    return stateProbe.mock;
  }
  const byAuth = (auth: Incoming['auth']) => probes.find((p) => p.auth === auth && !p.burst);
  const expired = profile.doc.auth.tokenEndpoint?.mock.expired;
  if (incoming.auth === 'expired' && expired) return expired;
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

/** The vendor's documented 429, its Retry-After and X-RateLimit-Reset made true for the mock's own window. */
function rateLimited(profile: Profile, faults: MockFaults, windowEndsAt: number): MockResponseDef {
  const burst = profile.probes.find((p) => p.burst);
  const base = burst?.mock ?? { status: 429, body: {} };
  const headers = { ...(base.headers ?? {}) };
  const nameOf = (wanted: string) => Object.keys(headers).find((h) => h.toLowerCase() === wanted);
  const secondsLeft = Math.max(1, Math.ceil((windowEndsAt - Date.now()) / 1000));
  const retryName = nameOf('retry-after');
  if (faults.retryAfter !== undefined) headers[retryName ?? 'retry-after'] = faults.retryAfter;
  else if (retryName) headers[retryName] = String(Math.max(1, Math.min(Number(headers[retryName]) || secondsLeft, secondsLeft)));
  const resetName = nameOf('x-ratelimit-reset');
  if (resetName) headers[resetName] = String(Math.ceil(windowEndsAt / 1000));
  return { ...base, headers };
}

/** The challenge a 401 of this vendor carries: its documented credential scheme. */
function challengeOf(profile: Profile): string {
  const { scheme, header } = profile.doc.auth;
  return scheme === 'bearer' ? `Bearer realm="${profile.id}"` : `ApiKey realm="${profile.id}", header="${header ?? 'X-API-Key'}"`;
}

function serverError(profile: Profile): MockResponseDef {
  return profile.doc.serverError ?? { status: 500, body: {} };
}

/** The request target as a URL on the mock, or undefined when it cannot be parsed as one. */
function requestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://mock.invalid');
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, response: MockResponseDef, mediaType: string, challenge?: string): void {
  const body = JSON.stringify(response.body);
  const headers: Record<string, string> = { 'content-type': mediaType, ...lower(response.headers ?? {}) };
  // RFC 9110 §15.5.2: every 401 carries a challenge, whichever path produced it.
  if (response.status === 401 && headers['www-authenticate'] === undefined && challenge) headers['www-authenticate'] = challenge;
  res.writeHead(response.status, { ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
