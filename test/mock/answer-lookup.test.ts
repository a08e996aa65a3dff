import { request } from 'undici';
import { startMock, STATE_PATH, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';

/**
 * The mock answers a repeated body-less request from its remembered routing (src/mock/server.ts, issue 17):
 * that answer must be the one the full routing gives, and everything the routing depends on besides the
 * request line (the provider state, Prefer, the credential's meaning) must still be honoured.
 */
const raw = async (url: string, headers: Record<string, string> = {}, method = 'GET', body?: string) => {
  const res = await request(url, { method: method as 'GET', headers, body });
  const { date: _date, ...rest } = res.headers;
  return { status: res.statusCode, headers: rest, body: await res.body.text() };
};

describe('the mock answers a repeated request as the first time', () => {
  let mock: RunningMock;
  afterEach(async () => mock?.close());
  const profile = loadProfile('opescare');
  const search = (id: string): string => `${mock.url}/api/v1/connect/patient/search?health_id=${id}`;

  test('the same bytes, status and headers, and every request counted', async () => {
    mock = await startMock(profile);
    const first = await raw(search('OPC-2024-99999'), { authorization: 'Bearer t' });
    const again = await raw(search('OPC-2024-99999'), { authorization: 'Bearer t' });
    expect(first.status).toBe(404);
    expect(again).toEqual(first);
    // Another meaning of the credential (none, then errspec's invalid one) is routed again, not served from the first answer.
    expect((await raw(search('OPC-2024-99999'))).status).toBe(401);
    expect((await raw(search('OPC-2024-99999'), { authorization: 'Bearer errspec-invalid-credential' })).status).toBe(401);
    expect((await raw(search('OPC-2024-99999'), { authorization: 'Bearer t' })).status).toBe(404);
    expect(mock.requests).toBe(5);
  });

  test('a provider state and a Prefer header still decide the answer after it was remembered', async () => {
    mock = await startMock(profile);
    const url = search('OPC-2024-99999');
    expect((await raw(url, { authorization: 'Bearer t' })).status).toBe(404);
    expect((await raw(url, { authorization: 'Bearer t' })).status).toBe(404);
    const preferred = await raw(url, { authorization: 'Bearer t', prefer: 'errspec-error=rate_limit_exceeded' });
    expect(preferred.status).toBe(429);
    expect(JSON.parse(preferred.body)).toEqual(expect.objectContaining({ error: 'rate_limit_exceeded' }));
    // What the full routing answers in each provider state, on a mock that remembered nothing.
    const states = [...new Set(profile.probes.flatMap((p) => (p.state ? [p.state] : [])))];
    const setState = (m: RunningMock, state: string, action?: string) => raw(`${m.url}${STATE_PATH}`, { 'content-type': 'application/json' }, 'POST', JSON.stringify({ state, ...(action ? { action } : {}) }));
    let differs = 0;
    for (const state of states) {
      const fresh = await startMock(profile);
      await setState(fresh, state);
      const expected = await raw(`${fresh.url}${new URL(url).pathname}${new URL(url).search}`, { authorization: 'Bearer t' });
      await fresh.close();
      await setState(mock, state);
      const got = await raw(url, { authorization: 'Bearer t' });
      expect({ state, status: got.status, body: got.body }).toEqual({ state, status: expected.status, body: expected.body });
      if (got.status !== 404) differs++;
      await setState(mock, state, 'teardown');
      expect((await raw(url, { authorization: 'Bearer t' })).status).toBe(404);
    }
    // Some state answers this request otherwise: a lookup that ignored the state would fail above.
    expect(differs).toBeGreaterThan(0);
  });
});
