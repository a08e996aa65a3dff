import type http from 'node:http';
import type { OAuthClientSettings } from '../../src/auth/oauth';
import { startMock, type RunningMock } from '../../src/mock/server';
import { runProbes, type ProbeRunOptions } from '../../src/probes/run';
import { loadProfile } from '../../src/profile/load';
import type { EvaluatedExchange, VendorRun } from '../../src/types';
import { json, startServer, type TestServer } from '../helpers/server';

const opescare = loadProfile('opescare');
const CLIENT_ID = 'client-id-7c41e9';
const CLIENT_SECRET = 'client-secret-93b0aa51';

function oauthFor(baseUrl: string, extra: Partial<OAuthClientSettings> = {}): OAuthClientSettings {
  return {
    tokenUrl: `${baseUrl}/oauth/token`,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientIdEnv: 'OPESCARE_CLIENT_ID',
    clientSecretEnv: 'OPESCARE_CLIENT_SECRET',
    clientAuth: 'body',
    ...extra,
  };
}

const byId = (run: VendorRun, id: string): EvaluatedExchange => {
  const found = run.exchanges.find((e) => e.id === id);
  if (!found) throw new Error(`no exchange ${id} in ${run.exchanges.map((e) => e.id).join(', ')}`);
  return found;
};
const outcomes = (exchange: EvaluatedExchange) => Object.fromEntries(exchange.findings.map((f) => [f.check, f.outcome]));
const failures = (run: VendorRun) => run.exchanges.flatMap((e) => e.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error').map((f) => `${e.id} > ${f.check}: ${f.message}`));

/** Everything a run hands to reporters, as one string to grep for secrets. */
const everything = (run: VendorRun): string => JSON.stringify(run);

describe('OAuth2 client credentials against the opescare reference mock', () => {
  let mock: RunningMock | undefined;
  afterEach(async () => mock?.close());

  test('a token is fetched before the first probe that needs one and reused while fresh', async () => {
    mock = await startMock(opescare, { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    const run = await runProbes(opescare, { baseUrl: mock.url, oauth: oauthFor(mock.url) });
    expect(failures(run)).toEqual([]);
    expect(run.unreachable).toBeUndefined();
    expect(mock.tokenRequests).toBe(1);
    expect(run.exchanges.map((e) => e.id)).toEqual(['missing-credential', 'invalid-credential', 'unknown-patient', 'unknown-facility', 'malformed-body', 'rate-limited']);
    expect(byId(run, 'unknown-patient').response?.status).toBe(404);
    expect(byId(run, 'unknown-patient').request.headers.authorization).toBe('Bearer [REDACTED]');
    expect(everything(run)).not.toContain(CLIENT_SECRET);
    expect(everything(run)).not.toContain(CLIENT_ID);
    expect(everything(run)).not.toMatch(/errspec-mock-token-[0-9a-f]/);
  });

  test('a token the vendor calls expired is refreshed once and the probe retried once; both answers are recorded and checked', async () => {
    let clock = Date.now();
    mock = await startMock(opescare, { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, now: () => clock });
    const run = await runProbes(opescare, {
      baseUrl: mock.url,
      oauth: oauthFor(mock.url),
      // An hour passes on the server's clock after the first probe with a token: errspec's cached token is now expired there.
      onExchange: (e) => {
        if (e.id === 'unknown-patient') clock += 3_601_000;
      },
    });
    expect(failures(run)).toEqual([]);
    expect(mock.tokenRequests).toBe(2);
    expect(run.exchanges.map((e) => e.id)).toEqual([
      'missing-credential', 'invalid-credential', 'unknown-patient', 'unknown-facility-token-expired', 'unknown-facility', 'malformed-body', 'rate-limited',
    ]);
    const expired = byId(run, 'unknown-facility-token-expired');
    expect(expired.response?.status).toBe(401);
    expect(expired.expectedCodes).toEqual(['token_expired']);
    expect(outcomes(expired)).toEqual(expect.objectContaining({ 'probe-status': 'pass', 'envelope-schema': 'pass', 'known-code': 'pass', 'code-matches-status': 'pass' }));
    expect(byId(run, 'unknown-facility').response?.status).toBe(404);
    expect(run.notes?.join('\n')).toContain('unknown-facility: answered token_expired; errspec fetched a fresh token');
    expect(everything(run)).not.toMatch(/errspec-mock-token-[0-9a-f]/);
  });

  test('HTTP Basic client authentication works and sends no secret in the form', async () => {
    mock = await startMock(opescare, { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    const run = await runProbes(opescare, { baseUrl: mock.url, oauth: oauthFor(mock.url, { clientAuth: 'basic', scope: 'patient:read' }) });
    expect(failures(run)).toEqual([]);
    expect(mock.tokenRequests).toBe(1);
    expect(everything(run)).not.toContain(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64'));
  });

  test('a refused client is an oauth-token exchange checked against the contract, and the run is unreachable (exit 3)', async () => {
    mock = await startMock(opescare, { oauth: { clientId: CLIENT_ID, clientSecret: 'the-right-secret' } });
    const run = await runProbes(opescare, { baseUrl: mock.url, oauth: oauthFor(mock.url) });
    expect(mock.tokenRequests).toBe(1);
    expect(run.unreachable).toMatch(/^could not authenticate: the token endpoint refused the client: HTTP 401 invalid_client/);
    const token = byId(run, 'oauth-token');
    expect(token.response?.status).toBe(401);
    expect(token.ok).toBe(true);
    expect(outcomes(token)).toEqual(expect.objectContaining({ 'envelope-schema': 'pass', 'known-code': 'pass', 'code-matches-status': 'pass', 'status-field-matches': 'pass' }));
    expect(token.findings.find((f) => f.check === 'known-code')?.rule?.id).toBe('opescare.code.invalid_client');
    // Probes without a credential still ran; those needing one were skipped, not failed.
    expect(byId(run, 'missing-credential').response?.status).toBe(401);
    expect(byId(run, 'unknown-patient').findings.every((f) => f.outcome === 'skip' && f.message.startsWith('no access token'))).toBe(true);
    expect(token.request.body).toContain('client_secret=[REDACTED]');
    expect(everything(run)).not.toContain(CLIENT_SECRET);
    expect(everything(run)).not.toContain(CLIENT_ID);
  });
});

describe('OAuth2 client credentials against small loopback servers', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  /** A server whose token endpoint issues tok-1, tok-2, ... and whose API answers as `api` says. */
  async function tokenServer(api: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<TestServer & { tokens: () => number }> {
    let issued = 0;
    const s = await startServer((req, res) => {
      if (req.url === '/oauth/token') return json(res, 200, { access_token: `tok-${++issued}-5be1c0d2`, token_type: 'bearer', expires_in: 3600 });
      api(req, res);
    });
    return Object.assign(s, { tokens: () => issued });
  }

  const notFound = (res: http.ServerResponse) => json(res, 404, { error: 'patient_not_found', message: 'No patient.', status: 404 });

  test('the token request is a client-credentials form with the scope, and the token goes out as a Bearer credential', async () => {
    server = await tokenServer((_req, res) => notFound(res));
    await runProbes(opescare, { baseUrl: server.url, oauth: oauthFor(server.url, { scope: 'patient:read consent:write' }) });
    const tokenRequest = server.requests.find((r) => r.url === '/oauth/token')!;
    expect(tokenRequest.method).toBe('POST');
    expect(tokenRequest.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(tokenRequest.body))).toEqual({
      grant_type: 'client_credentials', scope: 'patient:read consent:write', client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    });
    const apiCalls = server.requests.filter((r) => r.url !== '/oauth/token' && r.headers.authorization?.startsWith('Bearer tok-'));
    expect(apiCalls.length).toBeGreaterThan(0);
    expect(apiCalls.every((r) => r.headers.authorization === 'Bearer tok-1-5be1c0d2')).toBe(true);
  });

  test('an endpoint that keeps calling every token expired gets one refresh and one retry per probe, never more', async () => {
    const expiring = await tokenServer((req, res) => {
      if (!req.headers.authorization?.startsWith('Bearer tok-')) return json(res, 401, { error: 'token_invalid', message: 'No.', status: 401 });
      json(res, 401, { error: 'token_expired', message: 'Bearer token has expired.', status: 401 });
    });
    server = expiring;
    const run = await runProbes(opescare, { baseUrl: expiring.url, oauth: oauthFor(expiring.url) });
    const validProbes = ['unknown-patient', 'unknown-facility', 'malformed-body'];
    expect(expiring.tokens()).toBe(1 + validProbes.length);
    for (const id of validProbes) {
      expect(byId(run, id).response?.status).toBe(401);
      // A documented expectation that is not met fails; a heuristic probe answered with another error warns.
      const basis = opescare.probes.find((p) => p.id === id)!.basis;
      expect(outcomes(byId(run, id))['probe-status']).toBe(basis === 'documented' ? 'fail' : 'warn');
      expect(byId(run, `${id}-token-expired`).ok).toBe(true);
    }
    // Two API requests per valid probe (the first and its one retry), one per probe without a credential.
    expect(server.requests.filter((r) => r.url !== '/oauth/token')).toHaveLength(2 + validProbes.length * 2);
  });

  test('concurrent probes share one token request', async () => {
    const slow = await tokenServer((_req, res) => setTimeout(() => notFound(res), 30));
    server = slow;
    await runProbes(opescare, { baseUrl: slow.url, oauth: oauthFor(slow.url), concurrency: 3 });
    expect(slow.tokens()).toBe(1);
  });

  test('a 2xx without an access_token is reported as an error on oauth-token and the run is unreachable', async () => {
    server = await startServer((req, res) => (req.url === '/oauth/token' ? json(res, 200, { token_type: 'Bearer' }) : notFound(res)));
    const run = await runProbes(opescare, { baseUrl: server.url, oauth: oauthFor(server.url) });
    expect(run.unreachable).toContain('without an access_token');
    // The registered token-response check says what is wrong with the 2xx; nothing else applies to it.
    expect(byId(run, 'oauth-token').findings.filter((f) => f.outcome !== 'skip')).toEqual([
      expect.objectContaining({ check: 'token-response', outcome: 'fail', message: 'the token endpoint answered HTTP 200 without an access_token' }),
    ]);
    expect(server.requests.filter((r) => r.url === '/oauth/token')).toHaveLength(1);
  });

  test('a token endpoint nobody answers at makes the run unreachable, with the probes that need no credential still run', async () => {
    server = await startServer((_req, res) => json(res, 401, { error: 'token_invalid', message: 'No.', status: 401 }));
    const run = await runProbes(opescare, { baseUrl: server.url, oauth: { ...oauthFor(server.url), tokenUrl: 'http://127.0.0.1:1/oauth/token' } });
    expect(run.unreachable).toContain('the token endpoint did not answer');
    expect(byId(run, 'oauth-token').transportError?.code).toBe('ECONNREFUSED');
    expect(byId(run, 'missing-credential').response?.status).toBe(401);
  });

  test('the run redacts the client id, the client secret and every access token, also where the server echoes them', async () => {
    server = await tokenServer((req, res) => {
      // A hostile server: it echoes what it was sent into its error bodies and headers.
      json(res, 404, { error: 'patient_not_found', message: `No patient for ${req.headers.authorization ?? 'nobody'}.`, status: 404, seen: req.headers.authorization }, {
        'x-echo': req.headers.authorization ?? '',
      });
    });
    const options: ProbeRunOptions = { baseUrl: server.url, oauth: oauthFor(server.url), strict: true };
    const run = await runProbes(opescare, options);
    const text = everything(run);
    expect(text).not.toContain('tok-1-5be1c0d2');
    expect(text).not.toContain(CLIENT_SECRET);
    expect(text).not.toContain(CLIENT_ID);
    const repros = run.exchanges.flatMap((e) => e.findings.map((f) => f.repro).filter(Boolean)).join('\n');
    expect(repros).toContain('authorization: Bearer ${ERRSPEC_ACCESS_TOKEN}');
  });
});
