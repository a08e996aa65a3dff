// Issue 13: a run's verdict means what it says on servers errspec did not write.
import { evaluate } from '../../src/engine/evaluate';
import { loadProfile } from '../../src/profile/load';
import type { Profile } from '../../src/profile/profile';
import { onTheWire } from '../../src/probes/request';
import { runProbes } from '../../src/probes/run';
import { parseRetryAfter } from '../../src/util/retry-after';
import { exchangeOf } from '../helpers/exchange';
import { json, startServer, type TestServer } from '../helpers/server';

const nhs = loadProfile('nhs-england');
const fhir = loadProfile('fhir-r4');
const opescare = loadProfile('opescare');
const SPINE = 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode';
const spine = (code: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', details: { coding: [{ system: SPINE, code, display: code }] } }] });
const oo = (code: string) => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: 'x' }] });

function probeAnswer(profile: Profile, probeId: string, status: number, body: unknown, headers: Record<string, string> = {}) {
  const probe = profile.probes.find((p) => p.id === probeId)!;
  const exchange = exchangeOf(status, body, { 'content-type': profile.doc.envelope.mediaTypes[0], 'www-authenticate': 'Bearer', ...headers }, {
    id: probe.id, expectedStatuses: probe.expect.status, expectedCodes: probe.expect.codes, basis: probe.basis,
  });
  return evaluate(profile, exchange).findings.find((f) => f.check === 'probe-status')!;
}

describe('issue 13: a probe passes only when answered with the error it targets', () => {
  test('an NHS bad-token probe answered 400 MISSING_VALUE (a missing header, not the token) fails', () => {
    const finding = probeAnswer(nhs, 'invalid-credential', 400, spine('MISSING_VALUE'));
    expect(finding.outcome).toBe('fail');
    expect(finding.message).toBe('expected HTTP 401 or 400 with code ACCESS_DENIED or UNAUTHORISED or INVALID_VALUE, got 400 MISSING_VALUE');
  });

  test('the same probe answered 401 ACCESS_DENIED passes', () => {
    expect(probeAnswer(nhs, 'invalid-credential', 401, spine('ACCESS_DENIED')).outcome).toBe('pass');
  });

  test('a heuristic probe answered with another documented error warns "did not provoke" and names the config key', () => {
    const finding = probeAnswer(nhs, 'invalid-header-value', 404, spine('RESOURCE_NOT_FOUND'));
    expect(finding.outcome).toBe('warn');
    expect(finding.message).toBe('did not provoke the targeted error (HTTP 400 with code INVALID_VALUE); got 404 RESOURCE_NOT_FOUND; adjust `probes.invalid-header-value` in the config');
  });

  test('a heuristic probe answered with a success still fails (an unsupported method answered 200)', () => {
    expect(probeAnswer(fhir, 'wrong-method', 200, { resourceType: 'CapabilityStatement' }).outcome).toBe('fail');
  });

  test('FHIR: a stale If-Match answered 412 passes, and 409 too', () => {
    expect(probeAnswer(fhir, 'version-conflict', 412, oo('conflict')).outcome).toBe('pass');
    expect(probeAnswer(fhir, 'version-conflict', 409, oo('conflict')).outcome).toBe('pass');
  });

  test('FHIR: an invalid resource answered 422 passes (business rules), 201 fails', () => {
    expect(probeAnswer(fhir, 'invalid-resource', 422, oo('invalid')).outcome).toBe('pass');
    expect(probeAnswer(fhir, 'invalid-resource', 201, { resourceType: 'Patient', id: 'x' }).outcome).toBe('fail');
  });

  test('every probe of every built-in profile states its basis, and probes that could create data write', () => {
    for (const profile of [nhs, fhir, opescare, loadProfile('medblocks'), loadProfile('healthcloud')]) {
      for (const probe of profile.probes) {
        expect(['documented', 'heuristic']).toContain(probe.basis);
        // A JSON body that is well formed could be accepted by a lenient server: only a cut-short one is safe.
        if (probe.method !== 'GET' && probe.body !== undefined && !probe.burst) {
          let parses = true;
          try {
            JSON.parse(probe.body);
          } catch {
            parses = false;
          }
          const invalidByStandard = profile.id === 'healthcloud' && probe.id === 'invalid-resource'; // Observation.status is 1..1 in R4
          if (parses && !invalidByStandard) expect({ profile: profile.id, probe: probe.id, writes: probe.writes }).toEqual({ profile: profile.id, probe: probe.id, writes: true });
        }
      }
    }
  });

  test('the fhir-r4 invalid-resource body is invalid by FHIR R4 itself (a birthDate that is not a date)', () => {
    const body = JSON.parse(fhir.probes.find((p) => p.id === 'invalid-resource')!.body!) as { birthDate: string };
    // FHIR R4 date: ([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?
    expect(/^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/.test(body.birthDate)).toBe(false);
  });
});

describe('issue 13: Retry-After dates are validated by round trip', () => {
  test.each([
    ['Mon, 31 Feb 2031 07:28:00 GMT', 'invalid'],
    ['Wed, 21 Oct 2015 07:28:00 GMT', 'date'],
    ['Thu, 21 Oct 2015 07:28:00 GMT', 'invalid'], // 21 Oct 2015 was a Wednesday
    ['Wed, 21 Oct 2015 25:28:00 GMT', 'invalid'],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 'date'],
    ['Sun Nov  6 08:49:37 1994', 'date'],
  ])('%s is %s', (value, kind) => {
    expect(parseRetryAfter(value).kind).toBe(kind);
  });

  test.each([413, 503, 401])('the syntax check runs on a %i too', (status) => {
    const exchange = exchangeOf(status, { error: 'x', message: 'y', status }, { 'retry-after': 'soon', 'www-authenticate': 'Bearer' });
    expect(evaluate(opescare, exchange).findings.find((f) => f.check === 'retry-after-syntax')?.outcome).toBe('fail');
  });
});

describe('issue 13: per-vendor headers, and a 429 in the middle of a run', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  test('{uuid} in a header is a fresh UUID in every request', () => {
    const out = { method: 'GET', url: 'http://127.0.0.1:1/', headers: { 'x-request-id': '{uuid}', accept: '*/*' } };
    const a = onTheWire(out).headers['x-request-id'];
    const b = onTheWire(out).headers['x-request-id'];
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
    expect(out.headers['x-request-id']).toBe('{uuid}');
  });

  test('a 429 answered to an ordinary probe is waited out and the probe resent once: its verdict is the second answer', async () => {
    let calls = 0;
    server = await startServer((_req, res) => {
      calls++;
      if (calls === 1) return json(res, 429, { error: 'rate_limit_exceeded', message: 'Slow down.', status: 429 }, { 'retry-after': '1' });
      json(res, 401, { error: 'token_invalid', message: 'No token.', status: 401 }, { 'www-authenticate': 'Bearer' });
    });
    const run = await runProbes(opescare, { baseUrl: server.url, probes: opescare.probes.filter((p) => p.id === 'missing-credential') });
    expect(server.requests.length).toBe(2);
    const exchange = run.exchanges.find((e) => e.id === 'missing-credential')!;
    expect(exchange.response?.status).toBe(401);
    expect(exchange.findings.filter((f) => f.outcome !== 'pass' && f.outcome !== 'skip')).toEqual([]);
  });

  test('a Retry-After longer than --max-wait is not waited for: the probe is an error that names the rate limit', async () => {
    server = await startServer((_req, res) => json(res, 429, { error: 'rate_limit_exceeded', message: 'Slow down.', status: 429 }, { 'retry-after': '120' }));
    const run = await runProbes(opescare, { baseUrl: server.url, maxWaitSeconds: 1, probes: opescare.probes.filter((p) => p.id === 'missing-credential') });
    expect(server.requests.length).toBe(1);
    const findings = run.exchanges.find((e) => e.id === 'missing-credential')!.findings;
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.outcome === 'error' && f.message.includes('429 (Retry-After: 120, over --max-wait)'))).toBe(true);
  });

  test('vendors.<id>.headers reach every probe of that vendor, under the probe\'s own', async () => {
    const { effectiveProbes } = await import('../../src/config/load');
    const { probes } = effectiveProbes(nhs, { headers: { 'X-Request-ID': '{uuid}' } });
    expect(probes.find((p) => p.id === 'unknown-patient')!.headers).toEqual(expect.objectContaining({ 'x-request-id': '{uuid}' }));
    expect(probes.find((p) => p.id === 'invalid-header-value')!.headers!['x-request-id']).toBe('not-a-uuid');
  });
});

describe('issue 13: reporting what was wrong', () => {
  test('envelope-schema names the offending value', () => {
    const exchange = exchangeOf(404, { error: 42, message: 'No patient.', status: 404 }, { 'content-type': 'application/json' });
    const finding = evaluate(opescare, exchange).findings.find((f) => f.check === 'envelope-schema')!;
    expect(finding.outcome).toBe('fail');
    expect(finding.message).toContain('/error must be string (got 42)');
  });

  test('two Content-Type headers are named as such', () => {
    const exchange = exchangeOf(404, { error: 'patient_not_found', message: 'No patient.', status: 404 }, { 'content-type': 'application/json, text/html' });
    const finding = evaluate(opescare, exchange).findings.find((f) => f.check === 'media-type')!;
    expect(finding.outcome).toBe('fail');
    expect(finding.message).toBe('2 Content-Type headers (application/json and text/html): Content-Type has one value, so a client cannot tell which applies');
  });
});
