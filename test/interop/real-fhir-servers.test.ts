import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';
import { startAsymmetrik } from '../helpers/fhir-servers/asymmetrik';
import { startMedplum, type FhirTestServer, type Wrapper } from '../helpers/fhir-servers/medplum';

/**
 * errspec run exactly as a user runs it (the built CLI, `verify --vendor fhir-r4 --base-url ...`,
 * no --allow-writes) against FHIR R4 servers it did not write, served here on 127.0.0.1:0. A verdict
 * errspec gives them must be one FHIR R4 itself gives: no failure but a real deviation, and no data
 * created by a default run. The raw JSON reports are kept in tmp-reports/ (git-ignored).
 */

const TOKEN_ENV = 'ERRSPEC_INTEROP_TOKEN';
const REPORTS = path.join(ROOT, 'tmp-reports');
const RUN_TIMEOUT_MS = 150_000;

interface ReportFinding { check: string; outcome: string; message: string; rule?: string }
interface Report { summary: Record<string, number>; exchanges: { id: string; response: { status: number } | null; findings: ReportFinding[] }[] }
interface Row { probe: string; check: string; outcome: string; message: string }

/**
 * Deviations these servers really have, by FHIR R4 itself. Each is allowed to fail (and only at the
 * probe it concerns); every other failure is errspec's error.
 */
const REAL_DEVIATIONS: Record<string, { probe: string; check: string; because: string }[]> = {
  medplum: [],
  asymmetrik: [
    // node-fhir-server-core's error handler answers body-parser's SyntaxError as 500, issue code `internal`.
    {
      probe: 'malformed-body',
      check: 'probe-status',
      because: 'FHIR R4 http.html, create: "400 Bad Request - resource could not be parsed or failed basic FHIR validation rules"',
    },
    {
      probe: 'malformed-body',
      check: 'envelope-schema',
      because: 'FHIR R4 operationoutcome.html: OperationOutcome.issue.code "Binding: IssueType (Required)"; IssueType has no code `internal`',
    },
    {
      probe: 'malformed-body',
      check: 'known-code',
      because: 'the same binding: `internal` is no IssueType code, so no documented one',
    },
  ],
};

const SERVERS: { name: string; start: (wrap?: Wrapper) => Promise<FhirTestServer> }[] = [
  { name: 'medplum', start: (wrap) => startMedplum({ wrap }) },
  { name: 'asymmetrik', start: (wrap) => startAsymmetrik({ wrap }) },
];

function rows(report: Report): Row[] {
  return report.exchanges.flatMap((e) => e.findings.map((f) => ({ probe: e.id, check: f.check, outcome: f.outcome, message: f.message })));
}

/** `errspec verify --vendor fhir-r4` against the server; the report, and the resource counts around the run, kept in tmp-reports/. */
async function verify(server: FhirTestServer, reportName: string, extra: string[] = []): Promise<{ code: number | null; report: Report; before: number; after: number }> {
  mkdirSync(REPORTS, { recursive: true });
  const file = path.join(REPORTS, `${reportName}.json`);
  rmSync(file, { force: true });
  const before = await server.count();
  const result = await runCli(['verify', '--vendor', 'fhir-r4', '--base-url', server.url, '--token-env', TOKEN_ENV, '--json', file, '--quiet', ...extra], { [TOKEN_ENV]: server.token }, { timeoutMs: RUN_TIMEOUT_MS });
  const after = await server.count();
  writeFileSync(path.join(REPORTS, `${reportName}.counts.json`), `${JSON.stringify({ before, after, exit: result.code })}\n`);
  if (!existsSync(file)) throw new Error(`errspec wrote no report (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return { code: result.code, report: JSON.parse(readFileSync(file, 'utf8')) as Report, before, after };
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first: these tests run the built CLI');
});

describe.each(SERVERS)('errspec verify fhir-r4 against $name (a FHIR server errspec did not write)', ({ name, start }) => {
  let server: FhirTestServer;
  let run: Awaited<ReturnType<typeof verify>>;

  beforeAll(async () => {
    server = await start();
    run = await verify(server, name);
  }, RUN_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await server?.close();
  });

  test('the run completed with a verdict (exit 0 or 1, not a tool error)', () => {
    expect([0, 1]).toContain(run.code);
    expect(run.report.exchanges.length).toBeGreaterThan(0);
  });

  test('a default run (no --allow-writes) creates and deletes nothing: the resource count is unchanged', () => {
    expect(run.before).toBeGreaterThan(0); // the seeded Patient/example, so a deletion would show too
    expect(run.after).toBe(run.before);
  });

  test('no failure except the real deviations listed in REAL_DEVIATIONS', () => {
    const allowed = (r: Row) => REAL_DEVIATIONS[name].some((d) => d.probe === r.probe && d.check === r.check);
    const failures = rows(run.report).filter((r) => (r.outcome === 'fail' || r.outcome === 'error') && !allowed(r));
    expect(failures).toEqual([]);
    expect(run.code).toBe(REAL_DEVIATIONS[name].length > 0 ? 1 : 0);
  });

  const deviations = REAL_DEVIATIONS[name];
  if (deviations.length > 0) {
    test.each(deviations)('the real deviation $probe / $check is still reported as a failure', ({ probe, check }) => {
      expect(rows(run.report).filter((r) => r.probe === probe && r.check === check && r.outcome === 'fail').length).toBe(1);
      expect(run.code).toBe(1);
    });
  }
});

describe.each(SERVERS)('a real deviation of $name is reported', ({ name, start }) => {
  let server: FhirTestServer;
  let run: Awaited<ReturnType<typeof verify>>;

  beforeAll(async () => {
    // DELETE on the capability statement answered 200, as if the server had deleted it. FHIR R4
    // http.html, capabilities: "The capabilities interaction ... GET [base]/metadata{?mode=[mode]}";
    // no DELETE interaction exists on it, and a 2xx to a request the server did not carry out is a lie.
    const answer200: Wrapper = (req, res, next) => {
      if (req.method === 'DELETE' && (req.url ?? '').split('?')[0].endsWith('/metadata')) {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: 'Deleted' } }] }));
        return;
      }
      next();
    };
    server = await start(answer200);
    run = await verify(server, `${name}-delete-metadata-200`);
  }, RUN_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await server?.close();
  });

  test('wrong-method answered 200 is a failure and the run exits 1', () => {
    const wrongMethod = rows(run.report).filter((r) => r.probe === 'wrong-method');
    expect(wrongMethod.filter((r) => r.outcome === 'fail').length).toBeGreaterThan(0);
    expect(run.code).toBe(1);
  });
});

describe.each(SERVERS)('with --allow-writes, a stale If-Match answered as FHIR R4 says passes at $name', ({ name, start }) => {
  let server: FhirTestServer;
  let run: Awaited<ReturnType<typeof verify>>;

  beforeAll(async () => {
    server = await start();
    run = await verify(server, `${name}-allow-writes`, ['--allow-writes']);
  }, RUN_TIMEOUT_MS + 10_000);
  afterAll(async () => {
    await server?.close();
  });

  test('version-conflict: 412 is the answer, and no failure', () => {
    // FHIR R4 http.html, Managing Resource Contention: "If the version id given in the If-Match header
    // does not match, the server returns a 412 Precondition Failed status code instead of updating the resource."
    const exchange = run.report.exchanges.find((e) => e.id === 'version-conflict')!;
    expect(exchange.response?.status).toBe(412);
    expect(rows(run.report).filter((r) => r.probe === 'version-conflict' && (r.outcome === 'fail' || r.outcome === 'error'))).toEqual([]);
  });
});
