import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-drift-har-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string): string => path.join(dir, name);

interface Answer { method: string; path: string; status: number; headers: Record<string, string>; body: unknown }

let served = 0;
/** A HealthCloud error body: the request id and message differ in every entry. */
const error = (code: string, extra: Record<string, unknown> = {}) => ({
  error: { code, message: `answer ${++served} at ${new Date(1_700_000_000_000 + served * 1000).toISOString()}`, requestId: `req_${served}abc${served * 7}`, ...extra },
});

/** A HAR 1.2 file of these answers, as a browser saves one. */
function har(name: string, answers: Answer[]): string {
  const entries = answers.map((a, i) => ({
    startedDateTime: new Date(1_700_000_000_000 + i * 1000).toISOString(),
    time: 5,
    request: { method: a.method, url: `https://api.healthcloud.example${a.path}`, httpVersion: 'HTTP/1.1', headers: [{ name: 'Authorization', value: 'Bearer hc_sk_secret_123456' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: {
      status: a.status, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], redirectURL: '', headersSize: -1, bodySize: -1,
      headers: Object.entries({ 'content-type': 'application/json', date: new Date(1_700_000_000_000 + i * 1000).toUTCString(), ...a.headers }).map(([n, value]) => ({ name: n, value })),
      content: { size: -1, mimeType: 'application/json', text: JSON.stringify(a.body) },
    },
    cache: {},
    timings: { send: 1, wait: 3, receive: 1 },
  }));
  writeFileSync(file(name), JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }));
  return file(name);
}

/** Two patients not found, a 429 and a 401; `drift` changes the 429's Retry-After to a date and the 404's code. */
function capture(name: string, drift: boolean): string {
  const retryAfter = drift ? 'Wed, 21 Oct 2015 07:28:00 GMT' : '30';
  return har(name, [
    { method: 'GET', path: `/v1/fhir/Patient/p${served}x`, status: 404, headers: {}, body: error(drift ? 'PATIENT_ARCHIVED' : 'NOT_FOUND') },
    { method: 'GET', path: `/v1/fhir/Patient/other${served}`, status: 404, headers: {}, body: error('NOT_FOUND') },
    { method: 'GET', path: '/v1/fhir/Patient/example', status: 200, headers: {}, body: { resourceType: 'Patient', id: 'example' } },
    { method: 'GET', path: '/v1/fhir/Patient/example', status: 429, headers: { 'retry-after': retryAfter, 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_700_000_100 + served) }, body: error('RATE_LIMITED') },
    { method: 'GET', path: '/v1/deployments/d-123', status: 401, headers: { 'www-authenticate': `Bearer realm="r${served}"` }, body: error('UNAUTHORIZED', { docsUrl: 'https://healthcloud.ai/docs/api/errors#UNAUTHORIZED' }) },
  ]);
}

interface Report { exchanges: { id: string; findings: { check: string; outcome: string; message: string }[] }[]; coverage: { observed: string[] } }
const driftOf = (r: Report) => r.exchanges.flatMap((e) => e.findings.filter((f) => f.check === 'drift').map((f) => ({ entry: e.id, outcome: f.outcome, message: f.message })));

test('check --baseline compares per entry pattern (method, path template, status); diff of the two reports gives the same', async () => {
  const baseline = file('har-baseline.json');
  const first = await runCli(['check', capture('one.har', false), '--vendor', 'healthcloud', '--baseline', baseline, '--json', file('one.json'), '--quiet']);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0);
  const recorded = JSON.parse(readFileSync(baseline, 'utf8')) as { vendors: { healthcloud: { observed: Record<string, { codes: string[] }> } } };
  // Both 404s are one pattern; the 200 is not an error and is not observed.
  expect(Object.keys(recorded.vendors.healthcloud.observed).sort()).toEqual(['GET /v1/deployments/{id} 401', 'GET /v1/fhir/Patient/{id} 404', 'GET /v1/fhir/Patient/{id} 429']);
  expect(readFileSync(baseline, 'utf8')).not.toMatch(/req_|answer|GMT|realm|secret/);

  // The same traffic on another day (other ids, request ids, messages, dates) records the same bytes.
  const again = await runCli(['check', capture('again.har', false), '--vendor', 'healthcloud', '--baseline', file('again-baseline.json'), '--quiet']);
  expect(again.code).toBe(0);
  expect(readFileSync(file('again-baseline.json'), 'utf8')).toBe(readFileSync(baseline, 'utf8'));

  const second = await runCli(['check', capture('two.har', true), '--vendor', 'healthcloud', '--baseline', baseline, '--json', file('two.json'), '--junit', file('two.xml'), '--quiet']);
  expect(second.code).toBe(1); // PATIENT_ARCHIVED is not a documented code: known-code fails
  const drift = driftOf(JSON.parse(readFileSync(file('two.json'), 'utf8')) as Report);
  expect(drift).toEqual([
    { entry: 'entry-0', outcome: 'warn', message: expect.stringMatching(/^drifted from the baseline \(GET \/v1\/fhir\/Patient\/\{id\} 404\): new code PATIENT_ARCHIVED; /) },
    { entry: 'entry-3', outcome: 'warn', message: 'drifted from the baseline (GET /v1/fhir/Patient/{id} 429): Retry-After changed form: delay-seconds -> http-date' },
    { entry: 'entry-4', outcome: 'pass', message: 'the error contract observed (GET /v1/deployments/{id} 401) matches the baseline' },
  ]);
  const junit = readFileSync(file('two.xml'), 'utf8');
  expect(junit.match(/&gt; drift"/g)).toHaveLength(3);

  const diff = await runCli(['diff', file('one.json'), file('two.json'), '--json', '-']);
  expect(diff.code).toBe(1);
  const fromDiff = (JSON.parse(diff.stdout) as { vendors: { drift: { probe: string; outcome: string; message: string }[] }[] }).vendors[0].drift;
  expect(fromDiff.map((d) => d.message)).toEqual(drift.filter((d) => d.outcome !== 'pass').map((d) => d.message));
  expect(fromDiff.map((d) => d.probe)).toEqual(['GET /v1/fhir/Patient/{id} 404', 'GET /v1/fhir/Patient/{id} 429']);
});

test('check without --baseline still reports the catalog coverage, streamed JSON and JUnit included', async () => {
  const run = await runCli(['check', capture('cov.har', false), '--vendor', 'healthcloud', '--json', file('cov.json'), '--junit', file('cov.xml'), '--quiet']);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('healthcloud: documented codes observed in this run: 3 of 9; never observed: BAD_REQUEST, CONFLICT, FHIR_VALIDATION_ERROR, FORBIDDEN, INTERNAL_ERROR, SERVICE_UNAVAILABLE');
  expect((JSON.parse(readFileSync(file('cov.json'), 'utf8')) as Report).coverage.observed).toEqual(['NOT_FOUND', 'RATE_LIMITED', 'UNAUTHORIZED']);
  expect(readFileSync(file('cov.xml'), 'utf8')).toContain('<property name="coverage.observed" value="NOT_FOUND RATE_LIMITED UNAUTHORIZED"/>');
});
