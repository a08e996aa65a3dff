import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { validateJunit } from '../helpers/junit-xsd';
import { KEY, startDriftingServer, type DriftingServer } from './drifting-server';

interface ReportFinding { check: string; outcome: string; message: string; expected?: Record<string, unknown>; actual?: Record<string, unknown> }
interface Report {
  summary: { warnings: number; failed: number };
  coverage?: { observed: string[]; never: string[]; accumulated?: { observed: string[] } };
  exchanges: { id: string; findings: ReportFinding[] }[];
}

let server: DriftingServer;
let dir: string;

beforeAll(async () => {
  server = await startDriftingServer();
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-drift-'));
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => path.join(dir, name);

/** `errspec verify` of the drifting server, the burst included (Retry-After is never waited for: --max-wait 0). */
async function verify(...extra: string[]) {
  return runCli(['verify', '--vendor', 'healthcloud', '--base-url', server.url, '--token-env', 'HC_DRIFT_KEY',
    '--rate-limit-probe', '--max-requests', '5', '--max-wait', '0', '--quiet', ...extra], { HC_DRIFT_KEY: KEY });
}

const report = (name: string): Report => JSON.parse(readFileSync(file(name), 'utf8')) as Report;
const driftOf = (r: Report) => r.exchanges.flatMap((e) => e.findings.filter((f) => f.check === 'drift').map((f) => ({ probe: e.id, ...f })));

/** The probes the server answers (the write probes are not sent without --allow-writes). */
const OBSERVED = ['invalid-credential', 'invalid-resource', 'malformed-body', 'missing-credential', 'rate-limited', 'unknown-patient'];

describe('verify --baseline against a server that drifts', () => {
  test('records the baseline once, byte for byte the same for an unchanged server, with no drift findings', async () => {
    server.set([]);
    const first = await verify('--baseline', file('first.json'), '--json', file('r1.json'), '--junit', file('r1.xml'));
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`drift: recorded the baseline ${file('first.json')}`);
    expect(driftOf(report('r1.json'))).toEqual([]);
    server.set([]);
    const second = await verify('--baseline', file('second.json'));
    expect(second.code).toBe(0);
    expect(readFileSync(file('second.json'), 'utf8')).toBe(readFileSync(file('first.json'), 'utf8'));
    const baseline = JSON.parse(readFileSync(file('first.json'), 'utf8')) as { vendors: { healthcloud: { observed: Record<string, unknown> } } };
    expect(Object.keys(baseline.vendors.healthcloud.observed).sort()).toEqual(OBSERVED);
    // Neither request ids, messages, counters nor the dates of headers are in it.
    expect(readFileSync(file('first.json'), 'utf8')).not.toMatch(/req_|answer \d|GMT|realm/);
  });

  test('an unchanged server compared with its baseline: one passing drift finding per probe, and --update-baseline rewrites nothing', async () => {
    server.set([]);
    copyFileSync(file('first.json'), file('same.json'));
    const run = await verify('--baseline', file('same.json'), '--update-baseline', '--json', file('same-report.json'));
    expect(run.code).toBe(0);
    const drift = driftOf(report('same-report.json'));
    expect(drift.map((d) => d.probe).sort()).toEqual(OBSERVED);
    expect(drift.filter((d) => d.outcome !== 'pass')).toEqual([]);
    expect(readFileSync(file('same.json'), 'utf8')).toBe(readFileSync(file('first.json'), 'utf8'));
    expect(report('same-report.json').summary.warnings).toBe(report('r1.json').summary.warnings);
  });

  test('five changes are five drift warnings, each on its probe; changed request ids, messages and challenge parameters are none', async () => {
    server.set(['new-code', 'moved-status', 'retry-after-date', 'dropped-field', 'removed-header']);
    copyFileSync(file('first.json'), file('compare.json'));
    const run = await verify('--baseline', file('compare.json'), '--json', file('r2.json'), '--junit', file('r2.xml'));
    // The new code and the moved status break documented rules: their own checks fail, drift only warns.
    expect(run.code).toBe(1);
    const drift = driftOf(report('r2.json'));
    const drifted = drift.filter((d) => d.outcome !== 'pass');
    expect(drifted.map((d) => d.probe).sort()).toEqual(['invalid-resource', 'malformed-body', 'missing-credential', 'rate-limited', 'unknown-patient']);
    expect(drifted.every((d) => d.outcome === 'warn')).toBe(true);
    expect(drift.filter((d) => d.outcome === 'pass').map((d) => d.probe)).toEqual(['invalid-credential']);
    // Each finding names one change; the outcomes it moved (probe-status pass -> fail) are listed with it.
    const changes = (d: ReportFinding) => Object.keys(d.expected!).filter((aspect) => !aspect.startsWith('outcome '));
    expect(Object.fromEntries(drifted.map((d) => [d.probe, changes(d)]))).toEqual({
      'unknown-patient': ['code'],
      'invalid-resource': ['status'],
      'rate-limited': ['header retry-after'],
      'malformed-body': ['field /error/docsUrl'],
      'missing-credential': ['header www-authenticate'],
    });
    const by = (probe: string) => drifted.find((d) => d.probe === probe)!;
    expect(by('unknown-patient').message).toContain('code NOT_FOUND -> PATIENT_ARCHIVED (new code PATIENT_ARCHIVED)');
    expect(by('unknown-patient').actual).toMatchObject({ code: ['PATIENT_ARCHIVED'] });
    expect(by('invalid-resource').message).toContain('FHIR_VALIDATION_ERROR now comes with HTTP 400 (baseline: 422)');
    expect(by('rate-limited').message).toBe('drifted from the baseline: Retry-After changed form: delay-seconds -> http-date');
    expect(by('malformed-body').message).toContain('field /error/docsUrl vanished');
    expect(by('missing-credential').message).toContain('header WWW-Authenticate vanished');
    // One JUnit testcase per probe for drift, counted like any other check.
    const junit = readFileSync(file('r2.xml'), 'utf8');
    for (const probe of OBSERVED) expect(junit.split(`name="${probe} &gt; drift"`).length - 1).toBe(1);
    expect(await validateJunit(junit)).toEqual({ valid: true, errors: [] });
    // The baseline was compared, not rewritten.
    expect(readFileSync(file('compare.json'), 'utf8')).toBe(readFileSync(file('first.json'), 'utf8'));
  });

  test('errspec diff of the two saved reports gives the same drift findings', async () => {
    const diff = await runCli(['diff', file('r1.json'), file('r2.json'), '--json', '-']);
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(1);
    const fromDiff = (JSON.parse(diff.stdout) as { vendors: { vendor: string; drift: { probe: string; outcome: string; message: string }[] }[] }).vendors[0].drift;
    const fromVerify = driftOf(report('r2.json')).filter((d) => d.outcome !== 'pass');
    expect(fromDiff.map((d) => [d.probe, d.outcome, d.message])).toEqual(fromVerify.map((d) => [d.probe, d.outcome, d.message]));
    const table = await runCli(['diff', file('r1.json'), file('r2.json'), '--markdown', file('drift.md')]);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^healthcloud +rate-limited +Retry-After changed form: delay-seconds -> http-date$/m);
    const markdown = readFileSync(file('drift.md'), 'utf8');
    expect(markdown).toContain('5 probes drifted.');
    expect(markdown).toContain('| healthcloud | unknown-patient | code NOT\\_FOUND -&gt; PATIENT\\_ARCHIVED');
    const same = await runCli(['diff', file('r1.json'), file('same-report.json')]);
    expect(same.code).toBe(0);
    expect(same.stdout).toBe('no drift: every probe observed the same error contract\n');
  });

  test('drift in what the document leaves open warns (exit 0), fails with --fail-on-drift (exit 1)', async () => {
    server.set(['retry-after-date', 'dropped-field']);
    const warned = await verify('--baseline', file('first.json'), '--json', file('r3.json'));
    expect(warned.code).toBe(0);
    expect(driftOf(report('r3.json')).filter((d) => d.outcome === 'warn').map((d) => d.probe).sort()).toEqual(['malformed-body', 'rate-limited']);
    server.set(['retry-after-date', 'dropped-field']);
    const failed = await verify('--baseline', file('first.json'), '--fail-on-drift', '--json', file('r4.json'));
    expect(failed.code).toBe(1);
    const r4 = report('r4.json');
    expect(driftOf(r4).filter((d) => d.outcome === 'fail').map((d) => d.probe).sort()).toEqual(['malformed-body', 'rate-limited']);
    expect(r4.summary.failed).toBe(2);
  });

  test('coverage: the run\'s documented codes, and with --baseline those of every run it accumulated', async () => {
    const r1 = report('r1.json');
    expect(r1.coverage?.observed).toEqual(['BAD_REQUEST', 'FHIR_VALIDATION_ERROR', 'NOT_FOUND', 'RATE_LIMITED', 'UNAUTHORIZED']);
    expect(r1.coverage?.never).toEqual(['CONFLICT', 'FORBIDDEN', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE']);
    // The drifted run never answered NOT_FOUND; the baseline's run did.
    const r2 = report('r2.json');
    expect(r2.coverage?.observed).not.toContain('NOT_FOUND');
    expect(r2.coverage?.accumulated?.observed).toContain('NOT_FOUND');
    expect(readFileSync(file('r2.xml'), 'utf8')).toContain('<property name="coverage.never" value="CONFLICT FORBIDDEN INTERNAL_ERROR NOT_FOUND SERVICE_UNAVAILABLE"/>');
  });

  test('--update-baseline accepts the drift: the file is rewritten, and the next run matches it', async () => {
    server.set(['retry-after-date']);
    copyFileSync(file('first.json'), file('accepted.json'));
    const accept = await verify('--baseline', file('accepted.json'), '--update-baseline', '--json', file('r5.json'), '--html', file('r5.html'));
    expect(accept.code).toBe(0);
    expect(accept.stdout).toContain(`drift: updated the baseline ${file('accepted.json')}`);
    expect(driftOf(report('r5.json')).filter((d) => d.outcome !== 'pass').map((d) => d.probe)).toEqual(['rate-limited']);
    const accepted = readFileSync(file('accepted.json'), 'utf8');
    expect(accepted).not.toBe(readFileSync(file('first.json'), 'utf8'));
    expect(accepted).toContain('"http-date"');
    expect(readFileSync(file('r5.html'), 'utf8')).toContain('documented codes observed in this run: 5 of 9; never observed: CONFLICT, FORBIDDEN, INTERNAL_ERROR, SERVICE_UNAVAILABLE');
    server.set(['retry-after-date']);
    const next = await verify('--baseline', file('accepted.json'), '--json', file('r6.json'));
    expect(next.code).toBe(0);
    expect(driftOf(report('r6.json')).filter((d) => d.outcome !== 'pass')).toEqual([]);
  });

  test('misuse is exit 2 before any request', async () => {
    const before = server.requests.length;
    expect((await verify('--update-baseline')).code).toBe(2);
    writeFileSync(file('not-a-baseline.json'), '{"hello": 1}');
    const bad = await verify('--baseline', file('not-a-baseline.json'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not an errspec baseline');
    expect(server.requests.length).toBe(before);
  });
});
