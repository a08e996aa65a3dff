import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { json, startServer, type TestServer } from '../helpers/server';
import { runCli } from '../helpers/cli';

const TOKEN = 'canary-token-5f1d2e';

/** An OpesCare-like server that answers every probe as documented, except where `deviate` says otherwise. */
function opescareLike(deviate: (req: http.IncomingMessage, res: http.ServerResponse) => boolean) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (deviate(req, res)) return;
    const auth = req.headers.authorization;
    if (!auth) return json(res, 401, { error: 'token_invalid', message: 'Bearer token missing.', status: 401 });
    if (auth !== `Bearer ${TOKEN}`) return json(res, 401, { error: 'token_invalid', message: 'Malformed or revoked token.', status: 401 });
    if (req.url?.includes('/facilities/')) return json(res, 404, { error: 'facility_not_found', message: 'Facility ID does not exist.', status: 404 });
    if (req.method === 'POST') return json(res, 400, { error: 'invalid_request', message: 'Malformed JSON.', status: 400 });
    return json(res, 404, { error: 'patient_not_found', message: 'No patient matches the given Health ID.', status: 404 });
  };
}

interface Report {
  exchanges: { id: string; ok: boolean; findings: { check: string; outcome: string; expected?: unknown; actual?: unknown; repro?: string }[] }[];
}

async function verifyAgainst(server: TestServer) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-deviant-'));
  const junit = path.join(dir, 'junit.xml');
  const jsonFile = path.join(dir, 'report.json');
  const result = await runCli(
    ['verify', '--vendor', 'opescare', '--base-url', server.url, '--token-env', 'OPESCARE_TOKEN', '--junit', junit, '--json', jsonFile],
    { OPESCARE_TOKEN: TOKEN },
  );
  return { ...result, junit: readFileSync(junit, 'utf8'), report: JSON.parse(readFileSync(jsonFile, 'utf8')) as Report };
}

const failing = (report: Report) =>
  report.exchanges.flatMap((e) => e.findings.filter((f) => f.outcome === 'fail').map((f) => ({ probe: e.id, ...f })));

describe('errspec verify against servers that deviate from the opescare contract', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  test('a conformant server passes', async () => {
    server = await startServer(opescareLike(() => false));
    const { code, report, stdout } = await verifyAgainst(server);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    expect(stdout).not.toContain(TOKEN);
  });

  test('a wrong status for a code fails code-matches-status and status-field-matches', async () => {
    server = await startServer(opescareLike((req, res) => {
      if (!req.url?.includes('OPC-2024-99999') || !req.headers.authorization) return false;
      json(res, 400, { error: 'patient_not_found', message: 'No patient.', status: 404 });
      return true;
    }));
    const { code, report, junit } = await verifyAgainst(server);
    expect(code).toBe(1);
    const fails = failing(report);
    expect(fails).toEqual(expect.arrayContaining([
      expect.objectContaining({ probe: 'unknown-patient', check: 'code-matches-status', expected: [404], actual: 400 }),
      expect.objectContaining({ probe: 'unknown-patient', check: 'status-field-matches', expected: 400, actual: 404 }),
      expect.objectContaining({ probe: 'unknown-patient', check: 'probe-status', expected: { status: [404], codes: ['patient_not_found'] }, actual: { status: 400, code: 'patient_not_found' } }),
    ]));
    expect(junit).toMatch(/<testcase classname="opescare" name="unknown-patient &gt; code-matches-status"[^>]*>\s*<failure/);
    expect(junit).toContain('expected: [404]');
    expect(junit).toContain('actual: 400');
    expect(junit).toContain("reproduce: curl -i -X GET 'http://127.0.0.1:");
    expect(junit.toLowerCase()).toContain('authorization: bearer ${opescare_token}');
    expect(junit).not.toContain(TOKEN);
    expect(JSON.stringify(report)).not.toContain(TOKEN);
  });

  test('a missing envelope field fails envelope-schema', async () => {
    server = await startServer(opescareLike((req, res) => {
      if (req.headers.authorization) return false;
      json(res, 401, { error: 'token_invalid', status: 401 });
      return true;
    }));
    const { code, report } = await verifyAgainst(server);
    expect(code).toBe(1);
    expect(failing(report)).toEqual([
      expect.objectContaining({ probe: 'missing-credential', check: 'envelope-schema', actual: ["/ must have required property 'message'"] }),
    ]);
  });

  test('a non-JSON error body fails media-type and json-body', async () => {
    server = await startServer(opescareLike((req, res) => {
      if (req.method !== 'POST') return false;
      res.writeHead(400, { 'content-type': 'text/html' });
      res.end('<html><body><h1>400 Bad Request</h1></body></html>');
      return true;
    }));
    const { code, report } = await verifyAgainst(server);
    expect(code).toBe(1);
    const checks = failing(report).filter((f) => f.probe === 'malformed-body').map((f) => f.check);
    expect(checks).toEqual(['media-type', 'json-body']);
  });

  test('a code outside the documented set fails known-code', async () => {
    server = await startServer(opescareLike((req, res) => {
      if (req.headers.authorization !== 'Bearer errspec-invalid-credential') return false;
      json(res, 401, { error: 'auth_failed', message: 'Nope.', status: 401 });
      return true;
    }));
    const { code, report, junit } = await verifyAgainst(server);
    expect(code).toBe(1);
    // The code is not in the table, and so not the token_invalid/token_expired the probe targets either.
    expect(failing(report)).toEqual([
      expect.objectContaining({ probe: 'invalid-credential', check: 'probe-status', actual: { status: 401, code: 'auth_failed' } }),
      expect.objectContaining({ probe: 'invalid-credential', check: 'known-code', actual: 'auth_failed' }),
    ]);
    expect(junit).toContain('name="invalid-credential &gt; known-code"');
  });
});

describe('errspec verify: targets and exit codes', () => {
  test('all five vendors pass against their embedded mocks', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-all-'));
    const result = await runCli(['verify', '--all', '--junit', path.join(dir, 'junit.xml'), '--json', path.join(dir, 'c.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')) as { runs: { vendor: string; summary: { failed: number; errors: number; passed: number } }[] };
    expect(report.runs.map((r) => r.vendor).sort()).toEqual(['fhir-r4', 'healthcloud', 'medblocks', 'nhs-england', 'opescare']);
    for (const run of report.runs) {
      expect(run.summary).toEqual(expect.objectContaining({ failed: 0, errors: 0 }));
      expect(run.summary.passed).toBeGreaterThan(0);
    }
  });

  test('the embedded mocks raise no warning against their own contracts: --strict with every probe exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-strict-'));
    const result = await runCli(['verify', '--all', '--strict', '--allow-writes', '--rate-limit-probe', '--quiet', '--json', path.join(dir, 'c.json')]);
    const report = JSON.parse(readFileSync(path.join(dir, 'c.json'), 'utf8')) as { runs: { vendor: string; summary: { failed: number; warnings: number; errors: number } }[] };
    expect(report.runs.map((r) => [r.vendor, r.summary.failed, r.summary.warnings, r.summary.errors])).toEqual(report.runs.map((r) => [r.vendor, 0, 0, 0]));
    expect(result.code).toBe(0);
  });

  test('a profile file that is not built in runs like a built-in one: errspec verify calls the runner, no Jest files needed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-own-'));
    const file = path.join(dir, 'my-api.yaml');
    writeFileSync(file, readFileSync(path.join(__dirname, '..', '..', 'contracts', 'vendors', 'opescare.yaml'), 'utf8').replace(/^id: opescare$/m, 'id: my-api'));
    const result = await runCli(['verify', '--vendor', file, '--quiet', '--json', path.join(dir, 'r.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as { vendor: string; summary: { passed: number; failed: number } };
    expect(report.vendor).toBe('my-api');
    expect(report.summary.failed).toBe(0);
    expect(report.summary.passed).toBeGreaterThan(0);
  });

  test('an address where nothing listens exits 3 with a one-line explanation', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const result = await runCli(['verify', '--vendor', 'opescare', '--base-url', url, '--quiet']);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`opescare: ${url} could not be reached: connection refused`);
  });

  test('a config file overrides probe paths and ids, and skips probes', async () => {
    const server = await startServer(opescareLike(() => false));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-config-'));
    const config = path.join(dir, 'errspec.yaml');
    writeFileSync(config, [
      'vendors:',
      '  opescare:',
      `    baseUrl: ${server.url}`,
      '    auth: { tokenEnv: OPESCARE_TOKEN }',
      '    ids: { unknownHealthId: OPC-2024-12345 }',
      '    probes:',
      '      unknown-facility: { skip: true }',
      '      malformed-body: { path: /v2/consents }',
    ].join('\n'));
    const jsonFile = path.join(dir, 'r.json');
    const result = await runCli(['verify', '--vendor', 'opescare', '--config', config, '--json', jsonFile, '--quiet'], { OPESCARE_TOKEN: TOKEN });
    await server.close();
    expect(result.code).toBe(0);
    const urls = server.requests.map((r) => `${r.method} ${r.url}`);
    expect(urls).toContain('GET /api/v1/connect/patient/search?health_id=OPC-2024-12345');
    expect(urls).toContain('POST /v2/consents');
    expect(urls.some((u) => u.includes('/facilities/'))).toBe(false);
  });

  test('a config naming an unknown probe is exit 2 naming the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-config-'));
    const config = path.join(dir, 'bad.yaml');
    writeFileSync(config, 'vendors:\n  opescare:\n    probes:\n      no-such-probe: { skip: true }\n');
    const result = await runCli(['verify', '--vendor', 'opescare', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no-such-probe: no such probe');
  });
});
