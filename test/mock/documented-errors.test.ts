// Every documented code of every vendor can be asked for (Prefer: errspec-error=<code>) and passes errspec's own checks.
import { request } from 'undici';
import { evaluate } from '../../src/engine/evaluate';
import { mockErrorNames, startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile, vendorIds } from '../../src/profile/load';
import type { Exchange } from '../../src/types';

async function ask(mock: RunningMock, name: string, path = '/any/path'): Promise<Exchange> {
  const url = `${mock.url}${path}`;
  const res = await request(url, { headers: { prefer: `errspec-error=${name}` } });
  const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]));
  return { id: name, entry: null, request: { method: 'GET', url, headers: {} }, response: { status: res.statusCode, headers, body: await res.body.text() } };
}

describe.each(vendorIds())('%s: every documented error on demand', (vendor) => {
  const profile = loadProfile(vendor);
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock(profile);
  });
  afterAll(async () => mock.close());

  test('--list names every documented code', () => {
    expect(mockErrorNames(profile).map((n) => n.name).sort()).toEqual(profile.codes().sort());
  });

  test.each(profile.codes())('%s comes back with its status, envelope and headers, passing every check', async (code) => {
    const exchange = await ask(mock, code);
    const evaluated = evaluate(profile, exchange);
    expect(profile.envelopeFacts(JSON.parse(exchange.response!.body)).code).toBe(code);
    const def = profile.codeDef(code)!;
    if (def.status.length > 0) expect(def.status).toContain(exchange.response!.status);
    const failed = evaluated.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error');
    expect(failed).toEqual([]);
    // A status the vendor's list leaves out (fhir-r4 throttled at 429) is drift the check reports, and nothing else warns.
    const warned = evaluated.findings.filter((f) => f.outcome === 'warn').map((f) => f.check);
    expect(warned).toEqual(profile.isDocumentedStatus(exchange.response!.status) ? [] : ['documented-status']);
  });

  test('an unknown name is a 400 naming the valid ones', async () => {
    const res = await request(`${mock.url}/x`, { headers: { prefer: 'respond-async, errspec-error=no_such_code' } });
    expect(res.statusCode).toBe(400);
    const body = (await res.body.json()) as { message: string; valid: string[] };
    expect(body.valid.sort()).toEqual(profile.codes().sort());
    expect(body.message).toContain('no_such_code');
    expect(body.message).toContain(profile.codes()[0]);
  });
});
