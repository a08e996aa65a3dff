import http from 'node:http';
import { listen } from '../util/listen';
import type { Profile } from '../profile/profile';
import { randomBytes } from 'node:crypto';
import type { MockResponseDef, ProbeDef, TokenEndpointDef } from '../profile/types';
import type { VendorRun } from '../types';
import { fillPath } from '../probes/request';
import { INVALID_CREDENTIAL } from '../probes/credentials';
import { isJson } from '../util/json';
import { FhirStore } from './fhir-store';
import { ClientRecorder, credentialKey, gradeClient, requestKey, retryAfterMs } from './grade';
import { RateWindow, windowHeaders } from './rate-window';
import { codeAnswers, errorNames, preferredError, prepare, serverErrors, unknownName, type ErrorName, type Prepared } from './responses';

export interface MockFaults {
  /** Answer 429 (the vendor's documented rate-limit error) once more than N requests arrived in the window. */
  rateLimitAfter?: number;
  /** Window of the rate limit in seconds (default 60). */
  rateLimitWindowSeconds?: number;
  /** Override the Retry-After value of the 429 (default: the seconds until the window resets). */
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
  /**
   * Scripted answers (`vendors.<id>.mock.scenarios` of `--config`): `Prefer: errspec-error=<scenario>` answers
   * its steps in turn, one per request, each a documented code or `ok` (answered as without Prefer); the last repeats.
   */
  scenarios?: Record<string, string[]>;
  /** Record the client's requests for `grade()` (`errspec mock --grade`). */
  grade?: boolean;
  /** Called once the mock has answered this many requests (control requests excluded): `--grade-requests N`. */
  onRequests?: { count: number; callback: () => void };
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
  /** The client's behaviour so far, graded against the vendor document (needs `grade: true`). */
  grade(): VendorRun;
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

/** Most routing answers remembered, and the largest request body whose answer is: the cache stays small. */
const ROUTE_CACHE_SIZE = 10_000;
const ROUTE_CACHE_BODY = 4_096;

/** Prefix of the access tokens the mock issues: any other credential keeps its old meaning. */
const ISSUED_TOKEN_PREFIX = 'errspec-mock-token-';

/** The step of a scenario that is answered as if the request had no `Prefer`. */
export const SCENARIO_OK = 'ok';

/** Every name `Prefer: errspec-error=` takes for this vendor (`errspec mock --list`), scenarios of the config last. */
export function mockErrorNames(profile: Profile, scenarios: Record<string, string[]> = {}): ErrorName[] {
  const answers = codeAnswers(profile);
  return [...errorNames(profile, answers), ...Object.entries(scenarios).map(([name, steps]) => ({ name, status: answers.get(steps[0])?.status ?? 200, description: `scenario: ${steps.join(', ')}` }))];
}

/**
 * The reference mock of a vendor: answers every probe as the vendor documents, from the same profile.
 * A credential is valid unless it is errspec's invalid sentinel, so any client's own token works; a token
 * the mock's own token endpoint issued is valid until its TTL, then answered with the vendor's expired-token error.
 * `Prefer: errspec-error=<code>` asks for any documented error; faults add the vendor's 429 and 5xx.
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
  let faultsSent = 0;
  const startedAt = Date.now();
  const issued = new Map<string, number>();
  const challenge = challengeOf(profile);
  const answers = codeAnswers(profile);
  const scenarios = options.scenarios ?? {};
  for (const [name, steps] of Object.entries(scenarios)) {
    const bad = steps.find((step) => step !== SCENARIO_OK && !answers.has(step));
    if (bad !== undefined) throw new Error(`scenario ${name}: step "${bad}" is neither ${SCENARIO_OK} nor a documented code of ${profile.id}`);
  }
  const scenarioSteps = new Map<string, number>();
  const names = [...answers.keys(), ...Object.keys(scenarios).filter((n) => !answers.has(n))];
  const fives = serverErrors(profile, answers);
  const window = faults.rateLimitAfter !== undefined ? new RateWindow(faults.rateLimitAfter, faults.rateLimitWindowSeconds ?? 60) : undefined;
  const tooMany = profile.probes.find((p) => p.burst)?.mock ?? [...answers.values()].find((a) => a.status === 429) ?? { status: 429, body: {} };
  const storeDef = profile.doc.mock?.fhirStore;
  const store = storeDef ? new FhirStore(storeDef.resources, storeDef.seed) : undefined;
  const recorder = options.grade ? new ClientRecorder() : undefined;
  const tokenEndpoint = profile.doc.auth.tokenEndpoint;
  // Every documented answer is serialised once; the hot path writes its bytes.
  const prepared = new WeakMap<MockResponseDef, Prepared>();
  const bytesOf = (response: MockResponseDef): Prepared => {
    let ready = prepared.get(response);
    if (!ready) {
      ready = prepare(response, mediaType);
      // RFC 9110 §15.5.2: the challenge is part of the prepared answer, so the hot path copies nothing.
      if (ready.status === 401 && ready.headers['www-authenticate'] === undefined) ready.headers['www-authenticate'] = challenge;
      prepared.set(response, ready);
    }
    return ready;
  };
  const codeOf = new WeakMap<Prepared, string | undefined>();
  const routed = new Map<string, Prepared>();

  // Without faults, a store, grading or a provider state, an answer depends only on the credential's meaning, the
  // method and the target: a request without a body whose answer is remembered is answered at once (bench/mock.ts).
  const lookupFirst = !window && !faults.serverErrorEvery && !faults.latencyMs && !store && !recorder;
  /** After each answer: `--grade-requests N` is told when the Nth request was answered. */
  const counted = (): void => {
    if (options.onRequests && requests === options.onRequests.count) options.onRequests.callback();
  };
  const server = http.createServer((req, res) => {
    if (lookupFirst && state === undefined && req.headers.prefer === undefined && req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      const ready = routed.get(routeKey(authOf(profile, req.headers, issued, clock()), req.method ?? 'GET', req.url, ''));
      if (ready) {
        requests++;
        req.resume();
        write(res, ready, ready.headers, challenge);
        counted();
        return;
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const arrived = Date.now();
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 1_048_576) chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 0 ? '' : Buffer.concat(chunks).toString('utf8');
      const url = requestTarget(req.url);
      // `GET //[/` is no URL (an authority with a broken IPv6 host): a client error, not a reason to crash the mock.
      if (!url) return write(res, prepare({ status: 400, body: { error: 'bad_request', message: 'the request target is not a valid URL path' } }, 'application/json'));
      if (url.pathname === STATE_PATH && req.method === 'POST') {
        state = providerState(body);
        return write(res, prepare({ status: 200, body: {} }, 'application/json'));
      }
      requests++;
      const isTokenRequest = tokenEndpoint !== undefined && url.pathname === tokenEndpoint.path;
      if (isTokenRequest) tokenRequests++;
      const method = req.method ?? 'GET';
      const incoming: Incoming = { method, pathname: url.pathname, query: url.searchParams, auth: authOf(profile, req.headers, issued, clock()), body };

      const decide = (): { answer: Prepared; extra?: Record<string, string> } => {
        let preferred = preferredError(req.headers.prefer);
        const script = preferred === undefined ? undefined : scenarios[preferred];
        if (script && Object.prototype.hasOwnProperty.call(scenarios, preferred!)) {
          const step = scenarioSteps.get(preferred!) ?? 0;
          scenarioSteps.set(preferred!, step + 1);
          preferred = script[Math.min(step, script.length - 1)];
          if (preferred === SCENARIO_OK) preferred = undefined;
        }
        if (preferred !== undefined) {
          const named = answers.get(preferred);
          if (!named) return { answer: prepare(unknownName(preferred, names), 'application/json') };
          return { answer: bytesOf(named), extra: named.status === 429 ? limitHeaders(true, window?.peek()) : undefined };
        }
        // The token endpoint is not the API: its requests do not count against the API's rate limit.
        if (window && !isTokenRequest) {
          const at = window.hit();
          if (at.limited) return { answer: bytesOf(tooMany), extra: limitHeaders(true, at) };
          const extra = windowHeaders(profile, window, at, false);
          return { answer: served(), extra };
        }
        return { answer: served() };
      };
      const limitHeaders = (limited: boolean, at = window?.peek()): Record<string, string> | undefined => {
        const headers = window && at ? windowHeaders(profile, window, at, limited) : undefined;
        if (faults.retryAfter === undefined) return headers;
        return { ...(headers ?? {}), 'retry-after': faults.retryAfter };
      };
      const served = (): Prepared => {
        if (faults.serverErrorEvery && requests % faults.serverErrorEvery === 0) return bytesOf(fives[faultsSent++ % fives.length]);
        if (isTokenRequest) return prepare(tokenAnswer(tokenEndpoint, options.oauth ?? {}, req, body, issued, clock()), 'application/json');
        if (store && !state) {
          const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
          const open = store.publicAnswer(method, segments);
          if (open) return bytesOf(open);
          if (incoming.auth === 'valid') {
            const stored = store.answer(method, segments, req.headers, body);
            if (stored) return prepare(stored, mediaType);
          }
        }
        // Routing depends only on these and the provider state: remember its answer (bounded) so the hot path is a lookup.
        if (state !== undefined || body.length > ROUTE_CACHE_BODY) return route(profile, probes, incoming, state, bytesOf);
        const key = routeKey(incoming.auth, method, req.url, body);
        let ready = routed.get(key);
        if (!ready) {
          ready = route(profile, probes, incoming, state, bytesOf);
          if (routed.size < ROUTE_CACHE_SIZE) routed.set(key, ready);
        }
        return ready;
      };
      const answer = (): void => {
        const { answer: ready, extra } = decide();
        const headers = extra ? { ...ready.headers, ...extra } : ready.headers;
        write(res, ready, headers, challenge);
        if (recorder) {
          let code = codeOf.get(ready);
          if (!codeOf.has(ready)) codeOf.set(ready, (code = codeIn(profile, ready)));
          recorder.record({
            at: arrived, done: Date.now(), method, target: `${url.pathname}${url.search}`, key: requestKey(method, `${url.pathname}${url.search}`, body),
            credential: credentialKey(credentialHeader(profile, req.headers)), token: isTokenRequest, status: ready.status, code,
            retryAfterMs: retryAfterMs(headers['retry-after'], Date.now()),
          });
        }
        counted();
      };
      if (faults.latencyMs) setTimeout(answer, faults.latencyMs);
      else answer();
    });
  });
  server.keepAliveTimeout = 5_000;
  const { url, port } = await listen(server, options.port, options.host);
  return {
    url,
    port,
    get requests() {
      return requests;
    },
    get tokenRequests() {
      return tokenRequests;
    },
    setState(next) {
      state = next;
    },
    grade: () => gradeClient(profile, recorder?.seen ?? [], url, startedAt, Date.now()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What routing depends on besides the provider state: the remembered answers' key. */
function routeKey(auth: Incoming['auth'], method: string, target: string | undefined, body: string): string {
  return `${auth}\n${method}\n${target ?? ''}\n${body}`;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The code an answer carries, per the profile's envelope locators (for grading). */
function codeIn(profile: Profile, ready: Prepared): string | undefined {
  if (ready.body.length === 0 || ready.status < 400) return undefined;
  try {
    return profile.envelopeFacts(JSON.parse(ready.body.toString('utf8'))).code;
  } catch {
    return undefined;
  }
}

function credentialHeader(profile: Profile, headers: http.IncomingHttpHeaders): string | undefined {
  const { scheme, header } = profile.doc.auth;
  const raw = headers[(scheme === 'api-key' ? header ?? 'x-api-key' : 'authorization').toLowerCase()];
  return Array.isArray(raw) ? raw[0] : raw;
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

/** Each probe's filled path and query, parsed once: routing runs on every request. */
const targets = new WeakMap<ProbeDef, { pathname: string; query: [string, string][] }>();

function targetOf(profile: Profile, probe: ProbeDef): { pathname: string; query: [string, string][] } {
  let target = targets.get(probe);
  if (!target) {
    const url = new URL(fillPath(probe.path, profile.doc.ids), 'http://mock.invalid');
    targets.set(probe, (target = { pathname: url.pathname, query: [...url.searchParams] }));
  }
  return target;
}

function pathMatches(profile: Profile, probe: ProbeDef, incoming: Incoming): boolean {
  const target = targetOf(profile, probe);
  if (target.pathname !== incoming.pathname) return false;
  for (const [key, value] of target.query) if (incoming.query.get(key) !== value) return false;
  return true;
}

/** Pick the probe this request reproduces; its documented error is the answer. */
function route(profile: Profile, probes: ProbeDef[], incoming: Incoming, state: string | undefined, bytesOf: (r: MockResponseDef) => Prepared): Prepared {
  const stateProbe = state ? probes.find((p) => p.state === state) : undefined;
  if (stateProbe && (stateProbe.burst || (stateProbe.method === incoming.method && pathMatches(profile, stateProbe, incoming)))) {
    return bytesOf(stateProbe.mock);
  }
  const byAuth = (auth: Incoming['auth']) => probes.find((p) => p.auth === auth && !p.burst);
  const expired = profile.doc.auth.tokenEndpoint?.mock.expired;
  if (incoming.auth === 'expired' && expired) return bytesOf(expired);
  if (incoming.auth !== 'valid') {
    const probe = byAuth(incoming.auth) ?? byAuth('none') ?? byAuth('invalid');
    if (probe) return bytesOf(probe.mock);
  }
  const samePath = probes.filter((p) => !p.burst && p.auth === 'valid' && pathMatches(profile, p, incoming));
  const sameMethod = samePath.filter((p) => p.method === incoming.method);
  if (sameMethod.length > 0) {
    const exact = sameMethod.find((p) => p.body !== undefined && p.body === incoming.body);
    if (exact) return bytesOf(exact.mock);
    const bodyKind = sameMethod.find((p) => p.body !== undefined && isJson(p.body) === isJson(incoming.body) && !p.writes);
    if (bodyKind) return bytesOf(bodyKind.mock);
    const noBody = sameMethod.find((p) => p.body === undefined);
    if (noBody) return bytesOf(noBody.mock);
    return bytesOf(sameMethod[0].mock);
  }
  const wrongMethod = probes.find((p) => p.expect.status.includes(405) && targetOf(profile, p).pathname === incoming.pathname);
  if (wrongMethod && samePath.length > 0) return bytesOf(wrongMethod.mock);
  // The resource the refused probes ask for exists: with a valid credential it is served.
  if (probes.some((p) => p.auth !== 'valid' && !p.burst && p.method === incoming.method && pathMatches(profile, p, incoming))) return bytesOf(FOUND);
  const notFound = probes.find((p) => p.auth === 'valid' && p.expect.status.includes(404));
  if (!notFound) return bytesOf(NOT_FOUND);
  const echoed = echoId(profile, notFound, incoming);
  return echoed ? prepare(echoed, profile.doc.envelope.mediaTypes[0]) : bytesOf(notFound.mock);
}

const FOUND: MockResponseDef = { status: 200, headers: { 'content-type': 'application/json' }, body: {} };
const NOT_FOUND: MockResponseDef = { status: 404, body: {} };

/**
 * The not-found answer about the id the client asked for: the probe's unknown id (a placeholder of its path,
 * in the path or the query) replaced by the requested one in every string of the documented body.
 */
function echoId(profile: Profile, probe: ProbeDef, incoming: Incoming): MockResponseDef | undefined {
  const [templatePath, templateQuery = ''] = probe.path.split('?');
  let asked: string | undefined;
  let known: string | undefined;
  for (const [key, value] of new URLSearchParams(templateQuery)) {
    const name = /^\{(.+)\}$/.exec(value)?.[1];
    if (name && incoming.query.has(key)) [asked, known] = [incoming.query.get(key)!, profile.doc.ids[name]];
  }
  if (asked === undefined) {
    const template = templatePath.split('/').filter(Boolean);
    const segments = incoming.pathname.split('/').filter(Boolean).map(safeDecode);
    const at = template.findIndex((s) => /^\{.+\}$/.test(s));
    if (at < 0 || segments.length === 0) return undefined;
    known = profile.doc.ids[template[at].slice(1, -1)];
    asked = segments.length === template.length ? segments[at] : segments[segments.length - 1];
  }
  if (!asked || !known || asked === known) return undefined;
  const replace = (value: unknown): unknown =>
    typeof value === 'string' ? value.split(known!).join(asked!)
      : Array.isArray(value) ? value.map(replace)
        : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replace(v)])) : value;
  return { ...probe.mock, body: replace(probe.mock.body) };
}

/** The challenge a 401 of this vendor carries: its documented credential scheme. */
function challengeOf(profile: Profile): string {
  const { scheme, header } = profile.doc.auth;
  return scheme === 'bearer' ? `Bearer realm="${profile.id}"` : `ApiKey realm="${profile.id}", header="${header ?? 'X-API-Key'}"`;
}

/** The request target as a URL on the mock, or undefined when it cannot be parsed as one. */
function requestTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://mock.invalid');
  } catch {
    return undefined;
  }
}

/** Write a prepared answer; every 401 carries a challenge (RFC 9110 §15.5.2), whichever path produced it. */
function write(res: http.ServerResponse, ready: Prepared, headers: Record<string, string> = ready.headers, challenge?: string): void {
  const out = ready.status === 401 && headers['www-authenticate'] === undefined && challenge ? { ...headers, 'www-authenticate': challenge } : headers;
  res.writeHead(ready.status, out);
  res.end(ready.body);
}
