import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startMock, STATE_PATH, type RunningMock } from '../../src/mock/server';
import type { PactFile } from '../../src/pact/files';
import { loadProfile, vendorIds } from '../../src/profile/load';
import { validateJunit } from '../helpers/junit-xsd';
import { json, startServer, type TestServer } from '../helpers/server';
import { ROOT, runCli } from '../helpers/cli';

const TOKEN = 'canary-pact-token-3c9e1f';

interface Finding {
  check: string;
  outcome: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
  repro?: string;
}
interface Exchange {
  id: string;
  ok: boolean;
  request: { method: string; url: string };
  response: { status: number } | null;
  /** The reproduction the exchange's failing findings share (a finding's own `repro` only when it differs). */
  repro?: string;
  findings: Finding[];
}
interface Report {
  vendor: string;
  source: string;
  summary: Record<string, number>;
  exchanges: Exchange[];
}

const interactionsOf = (vendor: string): PactFile['interactions'] =>
  (JSON.parse(readFileSync(path.join(ROOT, 'contracts', 'pacts', `errspec-${vendor}.json`), 'utf8')) as PactFile).interactions;

function reportFiles() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-pact-verify-'));
  return { junit: path.join(dir, 'junit.xml'), json: path.join(dir, 'report.json') };
}

test('every vendor\'s pact verifies against its embedded reference mock, one testcase per interaction', async () => {
  const files = reportFiles();
  const result = await runCli(['pact', 'verify', '--all', '--junit', files.junit, '--json', files.json]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const junit = readFileSync(files.junit, 'utf8');
  const { valid, errors } = await validateJunit(junit);
  expect({ valid, errors }).toEqual({ valid: true, errors: [] });
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as { runs: Report[] };
  expect(report.runs.map((r) => r.vendor)).toEqual(vendorIds());
  for (const run of report.runs) {
    const interactions = interactionsOf(run.vendor);
    expect(run.source).toBe('pact');
    expect(run.exchanges.map((e) => e.id).sort()).toEqual(loadProfile(run.vendor).probes.map((p) => p.id).sort());
    expect(run.summary).toMatchObject({ exchanges: interactions.length, checks: interactions.length, passed: interactions.length });
    for (const exchange of run.exchanges) {
      expect(exchange.findings.map((f) => [f.check, f.outcome])).toEqual([['pact-interaction', 'pass']]);
      // The proxy recorded the provider's answer for each interaction.
      expect(exchange.response?.status).toBe(interactions.find((i) => i.description.startsWith(`${exchange.id}: `))!.response.status);
      expect(junit).toContain(`<testcase classname="${run.vendor}" name="${exchange.id} &gt; pact-interaction"`);
    }
  }
  expect(junit.match(/<testcase /g)).toHaveLength(vendorIds().reduce((n, v) => n + interactionsOf(v).length, 0));
});

/** An opescare provider: the reference mock behind a loopback server that may answer some requests itself. */
async function deviantOpescare(deviate: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<{ server: TestServer; mock: RunningMock }> {
  const mock = await startMock(loadProfile('opescare'));
  const server = await startServer((req, res, body) => {
    if (deviate(req, res)) return;
    const upstream = http.request(`${mock.url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.end(body);
  });
  return { server, mock };
}

async function verifyOpescare(server: TestServer, extra: string[] = [], env: NodeJS.ProcessEnv = { OPESCARE_TOKEN: TOKEN }) {
  const files = reportFiles();
  const result = await runCli(
    ['pact', 'verify', '--vendor', 'opescare', '--base-url', server.url, '--state-change-url', `${server.url}${STATE_PATH}`, '--token-env', 'OPESCARE_TOKEN', '--junit', files.junit, '--json', files.json, ...extra],
    env,
  );
  const junit = readFileSync(files.junit, 'utf8');
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
  return { ...result, junit, report, reportText: readFileSync(files.json, 'utf8') };
}

describe('errspec pact verify against a provider that deviates from the pact', () => {
  let provider: { server: TestServer; mock: RunningMock } | undefined;
  afterEach(async () => {
    await provider?.server.close();
    await provider?.mock.close();
    provider = undefined;
  });

  test('a conformant provider passes, and gets the user\'s credential where the pact shows the sample one', async () => {
    provider = await deviantOpescare(() => false);
    const { code, report, stdout, stderr, junit, reportText } = await verifyOpescare(provider.server);
    expect(report.exchanges.filter((e) => !e.ok)).toEqual([]);
    expect(code).toBe(0);
    const auth = provider.server.requests.filter((r) => r.url !== STATE_PATH).map((r) => r.headers.authorization);
    expect(auth).toContain(`Bearer ${TOKEN}`);
    expect(auth).toContain('Bearer errspec-invalid-credential');
    expect(auth).not.toContain('Bearer errspec-mock-credential');
    for (const text of [stdout, stderr, junit, reportText]) expect(text).not.toContain(TOKEN);
  });

  test('a code outside the documented set fails that interaction, named, with the mismatch', async () => {
    provider = await deviantOpescare((req, res) => {
      if (!req.url?.includes('OPC-2024-99999')) return false;
      json(res, 404, { error: 'no_such_patient', message: 'No patient.', status: 404 });
      return true;
    });
    const { code, report, junit, stdout } = await verifyOpescare(provider.server);
    expect(code).toBe(1);
    const failed = report.exchanges.filter((e) => !e.ok);
    expect(failed.map((e) => e.id)).toEqual(['unknown-patient']);
    const finding = failed[0].findings[0];
    expect(finding.check).toBe('pact-interaction');
    expect(finding.outcome).toBe('fail');
    expect(finding.message).toContain('interaction "unknown-patient: Search for a Health ID no patient has"');
    expect(finding.message).toContain("$.error: Expected 'no_such_patient' to match '^(patient_not_found|facility_not_found)$'");
    expect(finding.actual).toEqual({ '$.error': 'no_such_patient' });
    const repro = finding.repro ?? failed[0].repro;
    expect(repro).toContain('${OPESCARE_TOKEN}');
    expect(repro).not.toContain(TOKEN);
    expect(junit).toMatch(/name="unknown-patient &gt; pact-interaction"[^>]*>\s*<failure message="interaction &quot;unknown-patient/);
    expect(stdout).toMatch(/FAIL opescare unknown-patient GET -> 404/);
  });

  test('a wrong status fails that interaction, naming the status mismatch', async () => {
    provider = await deviantOpescare((req, res) => {
      if (req.url === STATE_PATH || req.headers.authorization) return false;
      json(res, 403, { error: 'invalid_scope', message: 'No.', status: 403 });
      return true;
    });
    const { code, report } = await verifyOpescare(provider.server);
    expect(code).toBe(1);
    const failed = report.exchanges.filter((e) => !e.ok);
    expect(failed.map((e) => e.id)).toEqual(['missing-credential']);
    expect(failed[0].findings[0].message).toMatch(/^interaction "missing-credential: No Authorization header" does not match the pact: status: expected 401 but was 403/);
    expect(failed[0].findings[0]).toMatchObject({ expected: { status: 401 }, actual: { status: 403 } });
  });

  test('without a credential or a state change URL, the interactions that need them are reported as skipped', async () => {
    provider = await deviantOpescare(() => false);
    const files = reportFiles();
    const result = await runCli(['pact', 'verify', '--vendor', 'opescare', '--base-url', provider.server.url, '--json', files.json]);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(files.json, 'utf8')) as Report;
    const outcomes = Object.fromEntries(report.exchanges.map((e) => [e.id, e.findings[0].outcome]));
    expect(outcomes).toEqual({
      'invalid-credential': 'pass',
      'missing-credential': 'pass',
      'malformed-body': 'skip',
      'rate-limited': 'skip',
      'unknown-facility': 'skip',
      'unknown-patient': 'skip',
    });
    expect(report.exchanges.find((e) => e.id === 'unknown-patient')!.findings[0].message).toContain('needs a valid credential');
  });
});

test('a provider that cannot be reached exits 3', async () => {
  const closed = await startServer(() => undefined);
  const url = closed.url;
  await closed.close();
  const result = await runCli(['pact', 'verify', '--vendor', 'fhir-r4', '--base-url', url, '--quiet']);
  expect(result.code).toBe(3);
  expect(result.stdout).toContain('could not be reached');
});

test('a missing pact file and a missing credential variable are usage errors (exit 2)', async () => {
  const noPact = await runCli(['pact', 'verify', '--vendor', 'opescare', '--dir', os.tmpdir()]);
  expect(noPact.code).toBe(2);
  expect(noPact.stderr).toContain('errspec pact generate');
  const noEnv = await runCli(['pact', 'verify', '--vendor', 'opescare', '--token-env', 'ERRSPEC_TEST_UNSET_VARIABLE']);
  expect(noEnv.code).toBe(2);
  expect(noEnv.stderr).toContain('ERRSPEC_TEST_UNSET_VARIABLE');
});
