import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli, serveCli } from '../helpers/cli';
import { startServer, type TestServer } from '../helpers/server';

const PDS = path.join(ROOT, 'test', 'fixtures', 'profiles', 'pds.errspec.yaml');
const PDS_SOURCE = 'https://digital.nhs.uk/developer/api-catalogue/personal-demographics-service-fhir';
const SPINE = 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode';
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'errspec-user-profile-'));

interface Finding { check: string; outcome: string; rule: string; message: string }
interface Report {
  vendor: string;
  summary: { failed: number; warnings: number };
  exchanges: { id: string; ok: boolean; response?: { status: number }; findings: Finding[] }[];
  /** Each cited rule once, by id (a finding's `rule` is the id). */
  rules: Record<string, { source: string; text: string }>;
}
const reportOf = (file: string): Report => {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Report | { runs: Report[] };
  return 'runs' in parsed ? parsed.runs[0] : parsed;
};

const outcome = (body: string, status: number) => ({
  status,
  statusText: '',
  httpVersion: 'HTTP/1.1',
  cookies: [],
  headers: [{ name: 'Content-Type', value: 'application/fhir+json' }],
  content: { size: body.length, mimeType: 'application/fhir+json', text: body },
  redirectURL: '',
  headersSize: -1,
  bodySize: body.length,
});
const spine = (code: string, issue = 'invalid') => JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: issue, details: { coding: [{ system: SPINE, version: '1', code, display: code }] } }] });

/** A HAR of PDS answers: [code, status] per entry. */
function harFile(dir: string, answers: [string, number][]): string {
  const entries = answers.map(([code, status], i) => ({
    startedDateTime: `2026-01-15T10:00:0${i}.000Z`,
    time: 5,
    request: { method: 'GET', url: `https://sandbox.api.service.nhs.uk/personal-demographics/FHIR/R4/Patient/${i}`, httpVersion: 'HTTP/1.1', cookies: [], headers: [], queryString: [], headersSize: -1, bodySize: -1 },
    response: outcome(spine(code), status),
    cache: {},
    timings: { send: 1, wait: 3, receive: 1 },
  }));
  const file = path.join(dir, 'pds.har');
  writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'test', version: '1' }, entries } }));
  return file;
}

const byCheck = (findings: Finding[], outcomeOf: string) => findings.filter((f) => f.outcome === outcomeOf).map((f) => f.check).sort();

describe('a user profile extending nhs-england with the PDS codes', () => {
  test('check --profile: the PDS codes pass without warning at their documented statuses, fail at another; inherited codes are unchanged', async () => {
    const dir = tmp();
    const har = harFile(dir, [
      ['INVALID_RESOURCE_ID', 400],
      ['UNSUPPORTED_SERVICE', 400],
      ['INVALIDATED_RESOURCE', 404],
      ['UNABLE_TO_CALL_SERVICE', 408],
      ['RESOURCE_VERSION_MISMATCH', 409],
      ['INVALID_RESOURCE_ID', 404],
      ['RESOURCE_NOT_FOUND', 404],
      ['RESOURCE_NOT_FOUND', 400],
    ]);
    const json = path.join(dir, 'pds.json');
    const result = await runCli(['check', har, '--profile', PDS, '--json', json], {}, { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = reportOf(json);
    expect(report.vendor).toBe('pds');
    const [ok400a, ok400b, ok404, ok408, ok409, bad404, inheritedOk, inheritedBad] = report.exchanges.map((e) => e.findings);
    for (const findings of [ok400a, ok400b, ok404, ok408, ok409, inheritedOk]) {
      expect(byCheck(findings, 'fail')).toEqual([]);
      expect(byCheck(findings, 'warn')).toEqual([]);
    }
    expect(byCheck(bad404, 'fail')).toEqual(['code-matches-status']);
    // The user's rule cites where the user found it, as a built-in rule cites its seed.
    const userRule = bad404.find((f) => f.check === 'code-matches-status')!;
    expect(userRule.rule).toBe('pds.code.INVALID_RESOURCE_ID');
    expect(report.rules[userRule.rule]).toMatchObject({ source: PDS_SOURCE, text: '400: INVALID_RESOURCE_ID | The NHS number in the path is not a valid NHS number.' });
    expect(byCheck(inheritedBad, 'fail')).toEqual(['code-matches-status']);
    const inherited = report.rules[inheritedBad.find((f) => f.check === 'code-matches-status')!.rule];
    expect(inherited.source).toBe('NHS England API "Troubleshooting 4xx status codes"');
    expect(inherited.text).toMatch(/^404: RESOURCE_NOT_FOUND/);

    // Worker threads have not seen this process's --profile: they load the profile by its file, with the same verdicts.
    const threaded = path.join(dir, 'threaded.json');
    expect((await runCli(['check', har, '--profile', PDS, '--json', threaded], { ERRSPEC_CHECK_WORKERS: '2' }, { cwd: dir })).code).toBe(1);
    expect(reportOf(threaded).exchanges.map((e) => byCheck(e.findings, 'fail'))).toEqual(report.exchanges.map((e) => byCheck(e.findings, 'fail')));

    // The same capture against nhs-england alone: the PDS code is an undocumented-code warning there.
    const plain = path.join(dir, 'nhs.json');
    expect((await runCli(['check', har, '--vendor', 'nhs-england', '--json', plain])).code).toBe(1);
    expect(byCheck(reportOf(plain).exchanges[0].findings, 'warn')).toEqual(['known-code']);
  });

  test('vendors --profile lists the user profile with its rule count', async () => {
    const result = await runCli(['vendors', '--profile', PDS, '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { id: string; codes: number; rules: number; probes: number }[];
    const pds = rows.find((r) => r.id === 'pds');
    const nhs = rows.find((r) => r.id === 'nhs-england')!;
    expect(pds).toMatchObject({ codes: nhs.codes + 7, probes: nhs.probes + 2 });
    expect(pds!.rules).toBeGreaterThan(nhs.rules);
  });

  test('verify --profile against the embedded mock of the profile: exit 0, the added probes pass without warning', async () => {
    const dir = tmp();
    const json = path.join(dir, 'r.json');
    // A relative --profile resolves against the working directory.
    const result = await runCli(['verify', '--profile', path.relative(dir, PDS), '--json', json], {}, { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = reportOf(json);
    for (const id of ['invalid-nhs-number', 'invalidated-patient']) {
      const exchange = report.exchanges.find((e) => e.id === id)!;
      expect(byCheck(exchange.findings, 'fail')).toEqual([]);
      expect(byCheck(exchange.findings, 'warn')).toEqual([]);
    }
  });

  describe('against a real server, with the profile named in a config file', () => {
    let server: TestServer;
    let deviate = false;
    beforeAll(async () => {
      server = await startServer((req, res) => {
        const invalid = req.url?.startsWith('/Patient/900000000?') || req.url === '/Patient/900000000';
        const status = invalid ? (deviate ? 404 : 400) : 404;
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(invalid ? spine('INVALID_RESOURCE_ID', 'value') : spine('INVALIDATED_RESOURCE', 'not-found'));
      });
    });
    afterAll(() => server.close());

    const run = async (): Promise<{ code: number | null; report: Report; stderr: string }> => {
      const dir = tmp();
      const config = path.join(dir, 'errspec.yaml');
      const skips = ['missing-credential', 'invalid-credential', 'unknown-patient', 'invalid-header-value', 'missing-search-parameter', 'malformed-body', 'duplicate-task', 'rate-limited'];
      // Relative to the config file's directory.
      writeFileSync(config, `profiles: [${path.relative(dir, PDS)}]\nvendors:\n  pds:\n    baseUrl: ${server.url}\n    probes:\n${skips.map((s) => `      ${s}: { skip: true }`).join('\n')}\n`);
      const json = path.join(dir, 'r.json');
      const result = await runCli(['verify', '--vendor', 'pds', '--config', config, '--token-env', 'PDS_TOKEN', '--json', json], { PDS_TOKEN: 'pds-test-token-0123456789' }, { cwd: os.tmpdir() });
      return { code: result.code, report: reportOf(json), stderr: result.stderr };
    };

    test('a conformant server: exit 0, no warning on the PDS probes', async () => {
      deviate = false;
      const { code, report, stderr } = await run();
      expect(stderr).toBe('');
      // Probes skipped in the config stay in the report as skipped by config; the two PDS probes are the ones sent.
      const sent = report.exchanges.filter((e) => !e.findings.every((f) => f.outcome === 'skip' && /^skipped by config/.test(f.message)));
      expect(sent.map((e) => e.id)).toEqual(['invalid-nhs-number', 'invalidated-patient']);
      for (const e of sent) expect([byCheck(e.findings, 'fail'), byCheck(e.findings, 'warn')]).toEqual([[], []]);
      expect(code).toBe(0);
    });

    test('INVALID_RESOURCE_ID at 404: the code fails at that status, citing its source', async () => {
      deviate = true;
      const { code, report } = await run();
      expect(code).toBe(1);
      const bad = report.exchanges.find((e) => e.id === 'invalid-nhs-number')!;
      expect(byCheck(bad.findings, 'fail')).toEqual(['code-matches-status', 'probe-status']);
      expect(report.rules[bad.findings.find((f) => f.check === 'code-matches-status')!.rule].source).toBe(PDS_SOURCE);
      expect(report.exchanges.find((e) => e.id === 'invalidated-patient')!.ok).toBe(true);
    });
  });

  test('proxy --profile checks the traffic passing through against the user profile', async () => {
    const target = await startServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/fhir+json' });
      res.end(spine('INVALID_RESOURCE_ID', 'value'));
    });
    const json = path.join(tmp(), 'proxy.json');
    const proxy = await serveCli(['proxy', '--profile', PDS, '--target', target.url, '--json', json]);
    try {
      const { url } = proxy;
      expect((await fetch(`${url}/Patient/900000000`)).status).toBe(400);
      expect((await proxy.stop('SIGINT')).code).toBe(0);
      const report = reportOf(json);
      expect(report.vendor).toBe('pds');
      expect([byCheck(report.exchanges[0].findings, 'fail'), byCheck(report.exchanges[0].findings, 'warn')]).toEqual([[], []]);
    } finally {
      proxy.child.kill('SIGKILL');
      await target.close();
    }
  });

  test('mock --profile serves the user profile', async () => {
    const mock = await serveCli(['mock', '--profile', PDS]);
    try {
      const { url } = mock;
      const response = await fetch(`${url}/Patient/900000000`, { headers: { authorization: 'Bearer pds-test-token-0123456789' } });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain('INVALID_RESOURCE_ID');
    } finally {
      await mock.stop();
    }
  });
});

describe('a user profile that is wrong: exit 2 naming the file, the line and the problem', () => {
  const write = (text: string): string => {
    const file = path.join(tmp(), 'mine.errspec.yaml');
    writeFileSync(file, text);
    return file;
  };

  test('a status that is not a number', async () => {
    const file = write('id: mine\nextends: nhs-england\ncodes:\n  MY_CODE:\n    status: [four-hundred]\n    text: mine\n    source: my docs\n');
    const result = await runCli(['vendors', '--profile', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`errspec: ${file}:5: profile invalid: /codes/MY_CODE/status/0: must be integer\n`);
  });

  test('an added code without a source', async () => {
    const file = write('id: mine\nextends: nhs-england\ncodes:\n  MY_CODE:\n    status: [400]\n    text: mine\n');
    const result = await runCli(['check', 'x.har', '--profile', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:5: profile invalid: code "MY_CODE" needs a source`);
  });

  test('extends a vendor that does not exist', async () => {
    const file = write('id: mine\nextends: nhs-englnd\n');
    const result = await runCli(['verify', '--profile', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^errspec: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: profile invalid: extends "nhs-englnd": unknown vendor`));
  });

  test('a profile without extends needs the whole contract', async () => {
    const file = write('id: mine\ntitle: Mine\n');
    const result = await runCli(['vendors', '--profile', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/mine\.errspec\.yaml:1: profile invalid: \(root\): must have required property 'seed'/);
  });

  test('the id of a built-in vendor', async () => {
    const file = write('id: nhs-england\nextends: fhir-r4\n');
    const result = await runCli(['vendors', '--profile', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:1: profile invalid: id "nhs-england" is a built-in vendor's`);
  });
});
