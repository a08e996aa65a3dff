import { request } from 'undici';
import { evaluate } from '../../src/engine/evaluate';
import { startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';
import { exchangeOf } from '../helpers/exchange';

const opescare = loadProfile('opescare');
const search = '/api/v1/connect/patient/search?health_id=OPC-2024-99999';

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers, body: init.body });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers as Record<string, string>, text, body: JSON.parse(text) as Record<string, unknown> };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

/** The answer checked against the opescare contract as the exchange it would be: no failures allowed. */
function conformance(answer: Awaited<ReturnType<typeof call>>, expected: number[]) {
  const result = evaluate(opescare, exchangeOf(answer.status, answer.text, { 'content-type': answer.headers['content-type'] }, { expectedStatuses: expected }));
  return result.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error').map((f) => `${f.check}: ${f.message}`);
}

describe('the opescare reference mock token endpoint', () => {
  let mock: RunningMock;
  afterEach(async () => mock?.close());

  test('issues Bearer tokens by client credentials (form body or HTTP Basic), 1-hour TTL by default, and counts the requests', async () => {
    mock = await startMock(opescare);
    const viaForm = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'any', client_secret: 'any-secret', scope: 'patient:read' }));
    expect(viaForm.status).toBe(200);
    expect(viaForm.headers['cache-control']).toBe('no-store');
    expect(viaForm.body).toEqual({ access_token: expect.stringMatching(/^errspec-mock-token-[0-9a-f]{32}$/), token_type: 'Bearer', expires_in: 3600, scope: 'patient:read' });
    const basic = Buffer.from('any:any-secret').toString('base64');
    const viaBasic = await call(`${mock.url}/oauth/token`, { ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } });
    expect(viaBasic.status).toBe(200);
    const answer = await call(`${mock.url}${search}`, { headers: { authorization: `Bearer ${viaBasic.body.access_token as string}` } });
    expect(answer.body.error).toBe('patient_not_found');
    expect(mock.tokenRequests).toBe(2);
    expect(mock.requests).toBe(3);
  });

  test('an issued token past its TTL is answered with token_expired, as the contract documents it', async () => {
    let now = Date.now();
    mock = await startMock(opescare, { oauth: { ttlSeconds: 5 }, now: () => now });
    const token = (await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'secret-1' }))).body;
    expect(token.expires_in).toBe(5);
    const auth = { authorization: `Bearer ${token.access_token as string}` };
    expect((await call(`${mock.url}${search}`, { headers: auth })).status).toBe(404);
    now += 5_000;
    const expired = await call(`${mock.url}${search}`, { headers: auth });
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual({ error: 'token_expired', message: 'Bearer token has expired (1-hour TTL).', status: 401 });
    expect(conformance(expired, [401])).toEqual([]);
    // Credentials the mock did not issue keep their meaning: any is valid, the sentinel and forged mock tokens are not.
    expect((await call(`${mock.url}${search}`, { headers: { authorization: 'Bearer my-own-token' } })).status).toBe(404);
    expect((await call(`${mock.url}${search}`, { headers: { authorization: 'Bearer errspec-mock-token-forged' } })).body.error).toBe('token_invalid');
  });

  test('a wrong client secret gets invalid_client at 401, a conformant answer; with Basic, a challenge too', async () => {
    mock = await startMock(opescare, { oauth: { clientId: 'client-1', clientSecret: 'right-secret' } });
    const wrong = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: 'wrong-secret' }));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: 'invalid_client', message: 'Wrong client_id or client_secret.', status: 401 });
    expect(conformance(wrong, [401])).toEqual([]);
    const wrongId = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'client-2', client_secret: 'right-secret' }));
    expect(wrongId.body.error).toBe('invalid_client');
    const basic = Buffer.from('client-1:wrong-secret').toString('base64');
    const challenged = await call(`${mock.url}/oauth/token`, { ...form({ grant_type: 'client_credentials' }), headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } });
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toMatch(/^Basic /);
    const right = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'client-1', client_secret: 'right-secret' }));
    expect(right.status).toBe(200);
  });

  test('without a configured client, any client but errspec\'s invalid sentinel is accepted', async () => {
    mock = await startMock(opescare);
    const refused = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'c', client_secret: 'errspec-invalid-credential' }));
    expect(refused.body.error).toBe('invalid_client');
    const missing = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'c' }));
    expect(missing.body.error).toBe('invalid_client');
  });

  test('another grant type gets a 400 in the vendor envelope', async () => {
    mock = await startMock(opescare);
    const answer = await call(`${mock.url}/oauth/token`, form({ grant_type: 'password', username: 'u', password: 'p' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(expect.objectContaining({ error: 'invalid_request', status: 400 }));
  });
});

describe('reference mock 429s', () => {
  let mock: RunningMock;
  afterEach(async () => mock?.close());

  test('healthcloud: X-RateLimit-Reset is the end of the mock\'s own window, after the response Date', async () => {
    mock = await startMock(loadProfile('healthcloud'), { faults: { rateLimitAfter: 1 } });
    await call(`${mock.url}/v1/fhir/Patient/bad_id`, { headers: { authorization: 'Bearer t' } });
    const limited = await call(`${mock.url}/v1/fhir/Patient/bad_id`, { headers: { authorization: 'Bearer t' } });
    expect(limited.status).toBe(429);
    const reset = Number(limited.headers['x-ratelimit-reset']);
    const date = Date.parse(limited.headers.date) / 1000;
    expect(reset).toBeGreaterThan(date);
    expect(reset).toBeLessThanOrEqual(date + 61);
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  test('vendors without a token endpoint in their profile serve none', async () => {
    mock = await startMock(loadProfile('healthcloud'));
    const answer = await call(`${mock.url}/oauth/token`, form({ grant_type: 'client_credentials', client_id: 'c', client_secret: 's' }));
    expect(answer.status).toBe(401);
    expect(mock.tokenRequests).toBe(0);
  });
});
