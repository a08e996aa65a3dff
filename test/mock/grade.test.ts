// Issue 18: the mock grades the client talking to it against what the vendor document tells a client to do.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock, type MockOptions, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';
import type { VendorRun } from '../../src/types';
import { healthcloudFetchWithRetry, OpescareClient } from '../helpers/clients/seed-clients';
import { startMockProcess } from '../helpers/clients/mock-process';
import { validateJunit } from '../helpers/junit-xsd';
import { runCli } from '../helpers/cli';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SEARCH = '/api/v1/connect/patient/search?health_id=OPC-2024-00001';
const MALFORMED = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"health_id": "OPC-2024-00001", ' };

/** behaviour id -> outcome, from the one finding of each graded exchange. */
const verdicts = (run: VendorRun): Record<string, string> => Object.fromEntries(run.exchanges.map((e) => [e.id, e.findings[0].outcome]));

describe('grading', () => {
  let mock: RunningMock;
  const start = async (vendor: string, options: MockOptions) => (mock = await startMock(loadProfile(vendor), { grade: true, ...options }));
  afterEach(async () => mock?.close());

  test('opescare: a client written as the seed tells passes every behaviour, each verdict quoting its sentence', async () => {
    await start('opescare', { faults: { rateLimitAfter: 2, rateLimitWindowSeconds: 1 }, oauth: { ttlSeconds: 2 } });
    const client = new OpescareClient(mock.url);
    for (let i = 0; i < 3; i++) expect((await client.request(SEARCH)).status).toBe(200); // the third waits out a 429
    expect((await client.request('/api/v1/connect/patient/search?health_id=OPC-2024-99999')).status).toBe(404); // raised, not retried
    await sleep(2100); // the token expires
    expect((await client.request(SEARCH)).status).toBe(200);
    expect(client.tokenFetches).toBe(2);
    const run = mock.grade();
    expect(verdicts(run)).toEqual({ 'wait-retry-after': 'pass', 'reauth-once': 'pass', 'no-retry-4xx': 'pass', 'bounded-retries': 'pass' });
    const rule = run.exchanges.find((e) => e.id === 'reauth-once')!.findings[0].rule!;
    expect(rule.quote).toContain('// Re-fetch token and retry once');
    expect(run.source).toBe('mock');
  });

  test('opescare: a client that does not wait on 429 fails wait-retry-after and bounded-retries', async () => {
    await start('opescare', { faults: { rateLimitAfter: 1, rateLimitWindowSeconds: 5 } });
    const client = new OpescareClient(mock.url, { retriesOnFailure: 3 });
    await client.request(SEARCH);
    await client.request(SEARCH);
    const run = mock.grade();
    expect(verdicts(run)).toEqual(expect.objectContaining({ 'wait-retry-after': 'fail', 'bounded-retries': 'fail', 'reauth-once': 'skip' }));
    expect(run.exchanges.find((e) => e.id === 'wait-retry-after')!.findings[0].message).toMatch(/after a 429 whose Retry-After asked for \d+ ms/);
  });

  test('opescare: a client that retries a 400 (bounded at 10 here) fails no-retry-4xx and bounded-retries', async () => {
    await start('opescare', {});
    const client = new OpescareClient(mock.url, { retriesOnFailure: 10 });
    expect((await client.request('/api/v1/connect/consents', MALFORMED)).status).toBe(400);
    expect(verdicts(mock.grade())).toEqual({ 'wait-retry-after': 'skip', 'reauth-once': 'skip', 'no-retry-4xx': 'fail', 'bounded-retries': 'fail' });
  });

  test('opescare: a client that does not re-authenticate after token_expired fails reauth-once', async () => {
    await start('opescare', { oauth: { ttlSeconds: 1 } });
    const client = new OpescareClient(mock.url, { retriesOnFailure: 2 });
    await client.getNewToken();
    await sleep(1100);
    const res = await client.request(SEARCH);
    expect(res.body.error).toBe('token_expired');
    const run = mock.grade();
    expect(verdicts(run)).toEqual(expect.objectContaining({ 'reauth-once': 'fail', 'no-retry-4xx': 'fail', 'bounded-retries': 'fail' }));
    expect(run.exchanges.find((e) => e.id === 'reauth-once')!.findings[0].message).toContain('with the expired token');
  });

  test('opescare: a client that gives up on token_expired fails reauth-once', async () => {
    await start('opescare', {});
    const client = new OpescareClient(mock.url, { reauth: false });
    const res = await client.request(SEARCH, { headers: { prefer: 'errspec-error=token_expired' } });
    expect(res.body.error).toBe('token_expired');
    expect(mock.grade().exchanges.find((e) => e.id === 'reauth-once')!.findings[0].message).toMatch(/^re-authenticated.*: no: gave up/);
  });

  test('healthcloud: exponential backoff on 5xx within MAX_RETRIES passes; a constant one fails backoff-5xx', async () => {
    await start('healthcloud', { faults: { serverErrorEvery: 1 } });
    const url = `${mock.url}/v1/fhir/Patient/example`;
    const res = await healthcloudFetchWithRetry(url, { unitMs: 40 });
    expect([500, 503]).toContain(res.status);
    expect(verdicts(mock.grade())).toEqual({ 'wait-retry-after': 'skip', 'backoff-5xx': 'pass', 'no-retry-4xx': 'skip', 'bounded-retries': 'pass' });
    await mock.close();
    await start('healthcloud', { faults: { serverErrorEvery: 1 } });
    await healthcloudFetchWithRetry(`${mock.url}/v1/fhir/Patient/example`, { unitMs: 40, backoff: 'constant', maxRetries: 6 });
    expect(verdicts(mock.grade())).toEqual({ 'wait-retry-after': 'skip', 'backoff-5xx': 'fail', 'no-retry-4xx': 'skip', 'bounded-retries': 'fail' });
  });

  test('healthcloud: the 5xx faults are the documented INTERNAL_ERROR and SERVICE_UNAVAILABLE, in turn', async () => {
    await start('healthcloud', { faults: { serverErrorEvery: 1 } });
    const codes = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${mock.url}/v1/fhir/Patient/example`, { headers: { authorization: 'Bearer k3y-of-test' } });
      codes.push(`${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`);
    }
    expect(codes).toEqual(['500 INTERNAL_ERROR', '503 SERVICE_UNAVAILABLE']);
  });
});

describe('errspec mock --grade', () => {
  test('a well-behaved client: the verdicts are written after --grade-requests N, JUnit valid, exit 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-grade-'));
    const junit = path.join(dir, 'grade.xml');
    const json = path.join(dir, 'grade.json');
    // token, search, search, 429, retried search
    const mock = await startMockProcess(['--vendor', 'opescare', '--grade', '--grade-requests', '5', '--rate-limit-after', '2', '--rate-limit-window', '1', '--junit', junit, '--json', json]);
    const client = new OpescareClient(mock.url);
    for (let i = 0; i < 3; i++) await client.request(SEARCH);
    const { code, stdout } = await mock.exited;
    expect(code).toBe(0);
    expect(stdout).toMatch(/ok {3}opescare wait-retry-after GET -> 429/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { source: string; exchanges: { id: string; findings: { outcome: string; rule: string }[] }[] };
    expect(report.source).toBe('mock');
    expect(report.exchanges.map((e) => `${e.id}:${e.findings[0].outcome}`)).toEqual(['wait-retry-after:pass', 'reauth-once:skip', 'no-retry-4xx:skip', 'bounded-retries:pass']);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="wait-retry-after &gt; client-behaviour"');
    expect((await validateJunit(xml)).valid).toBe(true);
  });

  test('a client that retries a 400: SIGTERM writes the verdicts, exit 1', async () => {
    const mock = await startMockProcess(['--vendor', 'opescare', '--grade', '--json', '-']);
    await new OpescareClient(mock.url, { retriesOnFailure: 4 }).request('/api/v1/connect/consents', MALFORMED);
    const { code, stdout } = await mock.stop('SIGTERM');
    expect(code).toBe(1);
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { exchanges: { id: string; findings: { outcome: string; message: string }[] }[] };
    const failed = report.exchanges.filter((e) => e.findings[0].outcome === 'fail').map((e) => e.id);
    expect(failed).toEqual(['no-retry-4xx', 'bounded-retries']);
  });
});

describe('scenarios from the config file', () => {
  test('Prefer: errspec-error=<scenario> answers its steps in turn; a seed-style client backs off through them and is served', async () => {
    const mock = await startMock(loadProfile('healthcloud'), { grade: true, scenarios: { 'flaky-ehr': ['SERVICE_UNAVAILABLE', 'INTERNAL_ERROR', 'ok'] } });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await fetch(`${mock.url}/v1/fhir/Patient/example`, { headers: { authorization: 'Bearer k3y-of-test', prefer: 'errspec-error=flaky-ehr' } });
        await res.text();
        statuses.push(res.status);
        if (res.status < 500) break;
        await sleep(2 ** attempt * 40);
      }
      expect(statuses).toEqual([503, 500, 200]);
      expect(verdicts(mock.grade())).toEqual(expect.objectContaining({ 'backoff-5xx': 'pass', 'bounded-retries': 'pass' }));
    } finally {
      await mock.close();
    }
  });

  test('errspec mock --config lists the scenarios, and refuses a step that is no documented code (exit 2)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-scenarios-'));
    const good = path.join(dir, 'good.yaml');
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(good, 'vendors:\n  healthcloud:\n    mock:\n      scenarios:\n        flaky-ehr: [SERVICE_UNAVAILABLE, ok]\n');
    writeFileSync(bad, 'vendors:\n  healthcloud:\n    mock:\n      scenarios:\n        flaky-ehr: [SERVICE_DOWN]\n');
    const listed = await runCli(['mock', '--vendor', 'healthcloud', '--config', good, '--list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/flaky-ehr\s+503\s+scenario: SERVICE_UNAVAILABLE, ok/);
    const refused = await runCli(['mock', '--vendor', 'healthcloud', '--config', bad, '--list']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('vendors.healthcloud.mock.scenarios.flaky-ehr: "SERVICE_DOWN" is neither ok nor a documented code');
  });
});
