import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitCodeOf } from '../../src/engine/summary';
import { runVendor } from '../../src/verify/run-vendor';
import { runCli } from '../helpers/cli';
import { json, startServer } from '../helpers/server';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'openapi');
const DOCUMENTS: [vendor: string, file: string][] = [
  ['opescare', 'opescare.yaml'],
  ['medblocks', 'medblocks.yaml'],
  ['nhs-england', 'nhs-england.json'],
  ['fhir-r4', 'fhir-r4.yaml'],
  ['healthcloud', 'healthcloud.yaml'],
];

const tmpDir = () => mkdtempSync(path.join(os.tmpdir(), 'errspec-verify-openapi-'));

interface Report {
  summary: { exchanges: number; failed: number };
  notes?: string[];
  exchanges: { id: string; ok: boolean; findings: { check: string; outcome: string }[] }[];
}

describe('errspec verify --openapi against the reference mocks', () => {
  test.each(DOCUMENTS)('%s: the probes derived from %s all pass against the embedded mock', async (vendor, file) => {
    const run = await runVendor(vendor, { resultsDir: tmpDir(), openapiFile: path.join(FIXTURES, file) });
    expect(run.unreachable).toBeUndefined();
    expect(run.exchanges.length).toBeGreaterThanOrEqual(8);
    expect(run.exchanges.filter((e) => !e.ok).map((e) => [e.id, e.response?.status, e.findings.filter((f) => f.outcome === 'fail').map((f) => f.message)])).toEqual([]);
    // Every probe was sent and answered: none skipped for want of a credential (the mock credential is used).
    expect(run.exchanges.every((e) => e.response !== undefined)).toBe(true);
    expect(run.notes?.[0]).toMatch(/^openapi: /);
    expect(exitCodeOf([run])).toBe(0);
  });

  test('an OpenAPI 3.0 YAML document through the command line: exit 0 and JUnit named after the derived probes', async () => {
    const dir = tmpDir();
    const junit = path.join(dir, 'junit.xml');
    const result = await runCli(['verify', '--vendor', 'opescare', '--openapi', path.join(FIXTURES, 'opescare.yaml'), '--junit', junit]);
    expect(result.stderr).not.toContain('errspec:');
    expect(result.code).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="search-patient-no-credential &gt; probe-status"');
    expect(xml).toContain('name="get-facility-unknown-facility-id &gt; envelope-schema"');
    expect(xml).not.toContain('name="missing-credential &gt;');
    expect(result.stdout).toContain('opescare: openapi: opescare.yaml (OpenAPI 3.0): 3 operations, 8 probes derived, 8 sent');
  });

  test('an OpenAPI 3.1 JSON document through the command line: exit 0', async () => {
    const report = path.join(tmpDir(), 'report.json');
    const result = await runCli(['verify', '--vendor', 'nhs-england', '--openapi', path.join(FIXTURES, 'nhs-england.json'), '--json', report]);
    expect(result.code).toBe(0);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as Report;
    expect(parsed.summary).toMatchObject({ exchanges: 8, failed: 0 });
  });

  test('--max-probes 3 never sends more than 3 requests, and the report says which probes were left out', async () => {
    const server = await startServer((req, res) => {
      if (!req.headers.authorization) return json(res, 401, { error: 'token_invalid', message: 'Bearer token missing.', status: 401 });
      json(res, 404, { error: 'facility_not_found', message: 'Facility ID does not exist.', status: 404 });
    });
    try {
      const report = path.join(tmpDir(), 'report.json');
      const result = await runCli(
        ['verify', '--vendor', 'opescare', '--openapi', path.join(FIXTURES, 'opescare.yaml'), '--max-probes', '3', '--base-url', server.url, '--token-env', 'OPESCARE_TOKEN', '--json', report],
        { OPESCARE_TOKEN: 'canary-openapi-token-91' },
      );
      expect(server.requests.length).toBeLessThanOrEqual(3);
      expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
        'GET /api/v1/connect/patient/search?health_id=OPC-2024-00001',
        'GET /api/v1/connect/facilities/FAC-00000',
        'POST /api/v1/connect/consents',
      ]);
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as Report;
      expect(parsed.exchanges.map((e) => e.id)).toEqual(['search-patient-no-credential', 'get-facility-unknown-facility-id', 'request-consent-malformed-body']);
      expect(parsed.notes).toContain('openapi: left out by --max-probes 3: connect-patient-search-undeclared-patch, get-facility-no-credential, connect-facilities-facility-id-undeclared-patch, request-consent-no-credential, connect-consents-undeclared-get');
      // The derived 400 probe is errspec's guess (heuristic): answered 404, it did not provoke its error, a warning.
      const malformed = parsed.exchanges.find((e) => e.id === 'request-consent-malformed-body')!;
      expect(malformed.findings.find((f) => f.check === 'probe-status')).toEqual(expect.objectContaining({ outcome: 'warn' }));
      expect(result.code).toBe(0);
      expect(readFileSync(report, 'utf8')).not.toContain('canary-openapi-token-91');
    } finally {
      await server.close();
    }
  });

  test('a document that disagrees with the contract: warnings in the reports, failures with --strict', async () => {
    const dir = tmpDir();
    const doc = path.join(dir, 'drifting.yaml');
    writeFileSync(doc, [
      'openapi: 3.1.0',
      'info: { title: drifting, version: "1" }',
      'security: [{ bearer: [] }]',
      'paths:',
      '  /v1/fhir/Patient/{id}:',
      '    get:',
      '      operationId: getPatient',
      '      responses:',
      '        "200": { description: ok }',
      '        "404": { description: gone, content: { application/json: { example: { code: NOT_FOUND } } } }',
      'components:',
      '  securitySchemes: { bearer: { type: http, scheme: bearer } }',
    ].join('\n'));
    const junit = path.join(dir, 'junit.xml');
    const lax = await runCli(['verify', '--vendor', 'healthcloud', '--openapi', doc, '--junit', junit]);
    expect(lax.code).toBe(0);
    expect(readFileSync(junit, 'utf8')).toContain('name="get-patient-openapi &gt; openapi-declares-401"');
    const strict = await runCli(['verify', '--vendor', 'healthcloud', '--openapi', doc, '--junit', junit, '--strict']);
    expect(strict.code).toBe(1);
    expect(readFileSync(junit, 'utf8')).toMatch(/name="get-patient-openapi &gt; openapi-error-envelope"[^>]*>\s*<failure/);
  });

  test('misuse is exit 2 before any request: --openapi with several vendors, a document that is not OpenAPI 3', async () => {
    const several = await runCli(['verify', '--vendor', 'opescare', '--vendor', 'medblocks', '--openapi', path.join(FIXTURES, 'opescare.yaml')]);
    expect(several.code).toBe(2);
    expect(several.stderr).toContain('exactly one --vendor');
    const swagger = path.join(tmpDir(), 'swagger.yaml');
    writeFileSync(swagger, 'swagger: "2.0"\npaths: {}\n');
    const old = await runCli(['verify', '--vendor', 'opescare', '--openapi', swagger]);
    expect(old.code).toBe(2);
    expect(old.stderr).toContain('Swagger 2.0 is not supported');
    const zero = await runCli(['verify', '--vendor', 'opescare', '--openapi', swagger, '--max-probes', '0']);
    expect(zero.code).toBe(2);
  });
});
