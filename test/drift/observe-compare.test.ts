import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffReports, readReport } from '../../src/cli/diff';
import { renderBaseline, emptyBaseline, readBaseline } from '../../src/drift/baseline';
import { differences, driftFinding } from '../../src/drift/compare';
import { fieldsOf, headerForms, observe, pathTemplate, type Observation, type ObservedExchange } from '../../src/drift/observe';

const observation = (over: Partial<Observation> = {}): Observation => ({
  statuses: [429], codes: ['RATE_LIMITED'], fields: ['/error', '/error/code', '/error/details', '/error/details/a', '/error/message'],
  headers: { 'retry-after': ['delay-seconds'], 'x-ratelimit-limit': ['present'] }, outcomes: { 'probe-status': 'pass', 'undocumented-fields': 'pass' }, ...over,
});

describe('observe', () => {
  test('fields are pointers without values, array items as *', () => {
    expect(fieldsOf({ resourceType: 'OperationOutcome', issue: [{ code: 'x', details: { coding: [{ system: 's', code: 'c' }] } }, { code: 'y', diagnostics: 'd' }] })).toEqual([
      '/issue', '/issue/*/code', '/issue/*/details', '/issue/*/details/coding', '/issue/*/details/coding/*/code', '/issue/*/details/coding/*/system', '/issue/*/diagnostics', '/resourceType',
    ]);
    expect(fieldsOf({ 'a/b': { '~': 1 } })).toEqual(['/a~1b', '/a~1b/~0']);
    expect(fieldsOf('text')).toEqual([]);
  });

  test('header forms: Retry-After kind, media type, WWW-Authenticate schemes, presence; no values', () => {
    expect(headerForms({ 'retry-after': '120', 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'abc', date: 'Wed, 21 Oct 2015 07:28:00 GMT' })).toEqual({ 'retry-after': 'delay-seconds', 'content-type': 'application/json' });
    expect(headerForms({ 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' })).toEqual({ 'retry-after': 'http-date' });
    expect(headerForms({ 'retry-after': '12.5' })).toEqual({ 'retry-after': 'invalid' });
    expect(headerForms({ 'www-authenticate': 'Bearer realm="a", error="invalid_token", error_description="x"' })).toEqual({ 'www-authenticate': 'bearer' });
    expect(headerForms({ 'www-authenticate': 'Basic realm="b", Bearer realm="a"' })).toEqual({ 'www-authenticate': 'basic bearer' });
    expect(headerForms({ 'x-ratelimit-reset': '1742558400', ratelimit: '"default";r=50;t=30' })).toEqual({ 'x-ratelimit-reset': 'present', ratelimit: 'present' });
  });

  test('path templates: ids become {id}, versions and FHIR operations stay', () => {
    expect(pathTemplate('https://h/api/v1/fhir/Patient/bad_id?x=1')).toBe('/api/v1/fhir/Patient/{id}');
    expect(pathTemplate('https://h/R4/Patient/_search')).toBe('/R4/Patient/_search');
    expect(pathTemplate('https://h/fhir/Observation/$validate')).toBe('/fhir/Observation/$validate');
    expect(pathTemplate('https://h/v2/orders/8c1f2e0a-1b2c/items')).toBe('/v2/orders/{id}/items');
  });

  test('an exchange nothing was sent for, and a HAR 2xx entry (no findings), observe nothing', () => {
    const base: ObservedExchange = { id: 'p', request: { method: 'GET', url: 'http://h/x' }, findings: [{ check: 'probe-status', outcome: 'skip' }] };
    expect(observe(base)).toBeUndefined();
    expect(observe({ ...base, response: { status: 200, headers: {} }, findings: [] })).toBeUndefined();
    expect(observe({ ...base, transportError: { code: 'ECONNRESET' } })?.statuses).toEqual([]);
  });
});

describe('compare', () => {
  test('an identical observation has no differences; its drift finding passes', () => {
    expect(differences(observation(), observation())).toEqual([]);
    expect(driftFinding(observation(), observation()).outcome).toBe('pass');
    expect(driftFinding(undefined, observation()).outcome).toBe('skip');
  });

  test('a vanished object is one difference, not one per member', () => {
    const now = observation({ fields: ['/error', '/error/code', '/error/message'] });
    expect(differences(observation(), now).map((d) => d.message)).toEqual(['field /error/details vanished']);
  });

  test('a field or header that appears is no difference of its own (undocumented-fields says so)', () => {
    const now = observation({ fields: [...observation().fields, '/error/extra'], headers: { ...observation().headers, ratelimit: ['present'] } });
    expect(differences(observation(), now)).toEqual([]);
  });

  test('a code at another status, a header form, an outcome; --fail-on-drift and --strict fail', () => {
    const now = observation({ statuses: [503], headers: { 'retry-after': ['http-date'], 'x-ratelimit-limit': ['present'] }, outcomes: { 'probe-status': 'fail', 'undocumented-fields': 'pass' } });
    expect(differences(observation(), now).map((d) => d.message)).toEqual([
      'RATE_LIMITED now comes with HTTP 503 (baseline: 429)', 'Retry-After changed form: delay-seconds -> http-date', 'probe-status pass -> fail',
    ]);
    expect(driftFinding(observation(), now).outcome).toBe('warn');
    expect(driftFinding(observation(), now, { failOnDrift: true }).outcome).toBe('fail');
    const strict = driftFinding(observation(), now, { strict: true });
    expect([strict.outcome, strict.message.startsWith('(strict) ')]).toEqual(['fail', true]);
  });
});

describe('baseline file', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-drift-unit-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('keys are sorted whatever order they were built in', () => {
    const a = emptyBaseline();
    a.vendors = { z: { observed: { b: observation(), a: observation() }, coverage: { observed: [] } }, a: { coverage: { observed: ['X'] }, observed: {} } };
    const b = emptyBaseline();
    b.vendors = { a: { observed: {}, coverage: { observed: ['X'] } }, z: { coverage: { observed: [] }, observed: { a: observation(), b: observation() } } };
    expect(renderBaseline(a)).toBe(renderBaseline(b));
    expect(renderBaseline(a).indexOf('"a"')).toBeLessThan(renderBaseline(a).indexOf('"z"'));
  });

  test('a missing file is no baseline yet; a file that is not one is a one-line error', () => {
    expect(readBaseline(path.join(dir, 'none.json'))).toBeUndefined();
    writeFileSync(path.join(dir, 'broken.json'), '{');
    expect(() => readBaseline(path.join(dir, 'broken.json'))).toThrow(/not JSON/);
  });
});

describe('diff reads saved reports', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-drift-reports-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const exchange = (retryAfter: string, rule: unknown) => ({
    id: 'rate-limited', entry: null, request: { method: 'GET', url: 'http://h/x' },
    response: { status: 429, headers: { 'retry-after': retryAfter, 'x-request-id': `r${retryAfter}` } },
    observed: { code: 'RATE_LIMITED', fields: ['/error', '/error/code'] }, ok: true,
    findings: [{ check: 'retry-after-syntax', outcome: 'pass', message: 'ok', ...(rule as object) }],
  });

  test('a rule inline and a rule by id into a top-level rules map read the same; several runs or one', () => {
    const inline = path.join(dir, 'inline.json');
    const mapped = path.join(dir, 'mapped.json');
    writeFileSync(inline, JSON.stringify({ vendor: 'healthcloud', source: 'probe', exchanges: [exchange('5', { rule: 'RFC 9110: Retry-After is ...', ruleId: 'rfc9110.retry-after' })] }));
    writeFileSync(mapped, JSON.stringify({
      tool: { name: 'errspec' },
      rules: { 'rfc9110.retry-after': { source: 'RFC 9110', text: 'Retry-After is ...' } },
      runs: [{ vendor: 'healthcloud', source: 'probe', exchanges: [exchange('Wed, 21 Oct 2015 07:28:00 GMT', { rule: 'rfc9110.retry-after' })] }],
    }));
    const [diff] = diffReports(readReport(inline), readReport(mapped));
    expect(diff.drift.map((d) => [d.key, d.finding.outcome, d.finding.message])).toEqual([
      ['rate-limited', 'warn', 'drifted from the baseline: Retry-After changed form: delay-seconds -> http-date'],
    ]);
    expect(diffReports(readReport(mapped), readReport(mapped))[0].drift.map((d) => d.finding.outcome)).toEqual(['pass']);
  });

  test('a file that is no report is a one-line error', () => {
    writeFileSync(path.join(dir, 'no.json'), '{"hello": 1}');
    expect(() => readReport(path.join(dir, 'no.json'))).toThrow(/not an errspec JSON report/);
  });
});
