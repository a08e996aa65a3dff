// Issue 18: one coherent rate-limit window, and errspec's own rate-limit probe passes against it with no false failure.
import { request } from 'undici';
import { startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile, vendorIds } from '../../src/profile/load';
import { runCli } from '../helpers/cli';
import { startMockProcess } from '../helpers/clients/mock-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the rate-limit window', () => {
  let mock: RunningMock;
  afterEach(async () => mock?.close());

  test('healthcloud: Limit is the configured limit, Remaining counts down, Reset is the window end in epoch seconds, and the IETF fields agree', async () => {
    mock = await startMock(loadProfile('healthcloud'), { faults: { rateLimitAfter: 3, rateLimitWindowSeconds: 1 } });
    const url = `${mock.url}/v1/fhir/Patient/example`;
    const seen: { status: number; headers: Record<string, string> }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(url, { headers: { authorization: 'Bearer client-token' } });
      await res.body.text();
      seen.push({ status: res.statusCode, headers: res.headers as Record<string, string> });
    }
    expect(seen.map((s) => s.status)).toEqual([200, 200, 200, 429]);
    expect(seen.map((s) => s.headers['x-ratelimit-limit'])).toEqual(['3', '3', '3', '3']);
    expect(seen.map((s) => s.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0', '0']);
    const limited = seen[3].headers;
    const reset = Number(limited['x-ratelimit-reset']);
    expect(reset * 1000).toBeGreaterThan(Date.parse(limited.date));
    expect(reset * 1000 - Date.now()).toBeLessThanOrEqual(1000 + 1000);
    expect(limited['retry-after']).toBe('1');
    expect(limited['ratelimit']).toBe('"default";r=0;t=1');
    expect(limited['ratelimit-policy']).toBe('"default";q=3;w=1');
    // A client that waits Retry-After is served again.
    await sleep(Number(limited['retry-after']) * 1000);
    const again = await request(url, { headers: { authorization: 'Bearer client-token' } });
    await again.body.text();
    expect(again.statusCode).toBe(200);
    expect(again.headers['x-ratelimit-remaining']).toBe('2');
  });

  test('opescare: the documented 429 with Retry-After until the reset, and no undocumented X-RateLimit-*', async () => {
    mock = await startMock(loadProfile('opescare'), { faults: { rateLimitAfter: 1, rateLimitWindowSeconds: 5 } });
    const url = `${mock.url}/api/v1/connect/patient/search?health_id=OPC-2024-00001`;
    await (await request(url, { headers: { authorization: 'Bearer client-token' } })).body.text();
    const res = await request(url, { headers: { authorization: 'Bearer client-token' } });
    expect(await res.body.json()).toEqual({ error: 'rate_limit_exceeded', message: 'Too many requests in a short window.', status: 429 });
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(5);
    expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    expect(res.headers['ratelimit-policy']).toBe('"default";q=1;w=5');
  });
});

// Bounded: a 2 s window, so each vendor's run waits at most about 2 s for the window to reset.
test.each(vendorIds())('%s: errspec verify --rate-limit-probe against errspec mock --rate-limit-after 3 passes', async (vendor) => {
  const mock = await startMockProcess(['--vendor', vendor, '--rate-limit-after', '3', '--rate-limit-window', '2']);
  try {
    const result = await runCli(['verify', '--vendor', vendor, '--base-url', mock.url, '--token-env', 'CLIENT_TOKEN', '--rate-limit-probe', '--allow-writes', '--json', '-', '--max-wait', '5'],
      { CLIENT_TOKEN: 'client-token-of-the-test' });
    const report = JSON.parse(result.stdout) as { exchanges: { id: string; response: { status: number } | null; findings: { outcome: string; check: string; message: string }[] }[] };
    const bad = report.exchanges.flatMap((e) => e.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error' || f.outcome === 'warn').map((f) => `${e.id} ${f.check}: ${f.message}`));
    expect(bad).toEqual([]);
    expect(result.code).toBe(0);
    const burst = report.exchanges.find((e) => e.id === 'rate-limited');
    if (loadProfile(vendor).probes.some((p) => p.burst)) expect(burst?.response?.status).toBe(429);
  } finally {
    await mock.stop();
  }
});
