import { request } from 'undici';
import { checkResponse, checkResponseSync, listVendors, loadProfile, UnknownVendorError, verify } from '../../src';
import type { Finding } from '../../src';
import { json, startServer, type TestServer } from '../helpers/server';
import { OPESCARE_404 as CONFORMANT, OPESCARE_404_WRONG_STATUS_FIELD as DEVIANT } from '../helpers/opescare-bodies';

const notPassing = (findings: Finding[]) => findings.filter((f) => f.outcome !== 'pass' && f.outcome !== 'skip').map((f) => `${f.check}:${f.outcome}`);


describe('the library API: checkResponse', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => json(res, 404, req.url === '/deviant' ? DEVIANT : CONFORMANT));
  });
  afterAll(() => server.close());

  test('a conformant plain response passes with no failure and no warning', async () => {
    const result = await checkResponse({ vendor: 'opescare', status: 404, headers: { 'Content-Type': 'application/json' }, body: CONFORMANT });
    expect(notPassing(result.findings)).toEqual([]);
    expect(result).toMatchObject({ ok: true, vendor: 'opescare', status: 404 });
    expect(result.findings.length).toBeGreaterThan(3);
  });

  test('a deviant plain response fails exactly the rule it breaks, with expected and actual', async () => {
    const result = await checkResponse({ vendor: 'opescare', status: 404, headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEVIANT) });
    expect(result.ok).toBe(false);
    expect(notPassing(result.findings)).toEqual(['status-field-matches:fail']);
    const failed = result.findings.find((f) => f.outcome === 'fail')!;
    expect(failed).toMatchObject({ expected: 404, actual: 400, rule: { id: 'opescare.status-field' } });
    // Rules are cited by the vendor document's title, not by an internal seed number.
    expect(failed.rule!.source).toBe('OpesCare Connect API "Errors & Troubleshooting"');
  });

  test('a fetch Response from a real server: same verdicts, and the caller can still read the body', async () => {
    const good = await fetch(`${server.url}/good`);
    expect((await checkResponse({ vendor: 'opescare', response: good })).ok).toBe(true);
    expect(await good.json()).toEqual(CONFORMANT);
    const bad = await checkResponse({ vendor: 'opescare', response: await fetch(`${server.url}/deviant`) });
    expect(notPassing(bad.findings)).toEqual(['status-field-matches:fail']);
  });

  test('an undici request() result', async () => {
    const bad = await checkResponse({ vendor: 'opescare', response: await request(`${server.url}/deviant`) });
    expect(notPassing(bad.findings)).toEqual(['status-field-matches:fail']);
  });

  test('a 2xx response has no findings, as in errspec check', () => {
    expect(checkResponseSync('opescare', { status: 200, body: '{}' })).toEqual({ ok: true, vendor: 'opescare', status: 200, findings: [] });
  });

  test('a credential of the request echoed by the target never reaches a finding', async () => {
    const token = 'Canary-Token-7f3a9';
    const result = await checkResponse({
      vendor: 'opescare',
      status: 401,
      headers: { 'content-type': 'text/plain' },
      body: `bad token ${token}`,
      request: { url: 'https://opescare.test/api/v1/connect/patient/search', headers: { Authorization: `Bearer ${token}` } },
    });
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(token);
  });

  test('an unknown vendor is an ErrspecError with a stable code, not a finding', async () => {
    await expect(checkResponse({ vendor: 'nope', status: 404 })).rejects.toBeInstanceOf(UnknownVendorError);
    await expect(checkResponse({ vendor: 'nope', status: 404 })).rejects.toMatchObject({ code: 'ERRSPEC_UNKNOWN_VENDOR' });
  });
});

describe('the library API: profiles, vendors and verify', () => {
  test('listVendors gives the five built-in vendors with their counts; loadProfile loads one by id', () => {
    const vendors = listVendors();
    expect(vendors.map((v) => v.id)).toEqual(['fhir-r4', 'healthcloud', 'medblocks', 'nhs-england', 'opescare']);
    for (const v of vendors) expect(v.rules).toBeGreaterThan(0);
    expect(loadProfile('opescare').title).toBe('OpesCare Connect API');
  });

  test('verify() runs a vendor against its embedded mock and returns the runs, summaries and exit code, printing nothing', async () => {
    const writes = jest.spyOn(process.stdout, 'write');
    try {
      const result = await verify({ vendors: ['opescare'] });
      expect(result.exitCode).toBe(0);
      expect(result.interrupted).toBe(false);
      expect(result.runs.map((r) => [r.vendor, r.targetKind])).toEqual([['opescare', 'embedded-mock']]);
      expect(result.summaries.opescare.failed).toBe(0);
      expect(result.summaries.opescare.checks).toBeGreaterThan(10);
      expect(writes).not.toHaveBeenCalled();
    } finally {
      writes.mockRestore();
    }
  });
});
