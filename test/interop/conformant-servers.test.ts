import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';
import type { Answer, ConformantServer, Deviation } from '../helpers/conformant-servers/serve';
import * as fhirR4 from '../helpers/conformant-servers/fhir-r4';
import * as healthcloud from '../helpers/conformant-servers/healthcloud';
import * as medblocks from '../helpers/conformant-servers/medblocks';
import * as nhsEngland from '../helpers/conformant-servers/nhs-england';
import * as opescare from '../helpers/conformant-servers/opescare';

/**
 * errspec run as a user runs it (the built CLI, `verify <vendor> --base-url ... --json FILE`) against servers
 * errspec did not write: hand-written per vendor from the seed documents, answering with other documented codes,
 * other field orders, other optional fields and HTTP-date Retry-After than errspec's reference mock. A conformant
 * server gets no failure and no warning; a one-line deviation is a failure of the check that guards it.
 * The raw JSON reports are left in tmp-reports/ (not committed).
 */

interface Finding { check: string; outcome: string; message: string }
interface Report {
  summary: Record<string, number>;
  unreachable?: string;
  exchanges: { id: string; response: { status: number; headers: Record<string, string> } | null; findings: Finding[] }[];
}

interface Row { probe: string; check: string; outcome: string; message: string }

interface Case {
  vendor: string;
  start: (deviate?: Deviation) => Promise<ConformantServer>;
  /** Credential options and the environment they read. */
  auth: { args: string[]; env: Record<string, string> };
  /** The vendor documents 429, so the opt-in burst (`--rate-limit-probe`) is sent. */
  burst: boolean;
  negative: { deviate: Deviation; probe: string; check: string };
}

const bearer = (token: string): Case['auth'] => ({ args: ['--token-env', 'CONFORMANT_TOKEN'], env: { CONFORMANT_TOKEN: token } });
type Enveloped = { error: Record<string, unknown> };

const CASES: Case[] = [
  {
    vendor: 'opescare',
    burst: true,
    start: opescare.start,
    // The seed's own flow: "Request a new token using client_credentials grant".
    auth: {
      args: ['--oauth-token-url', opescare.TOKEN_PATH, '--client-id-env', 'CONFORMANT_CLIENT_ID', '--client-secret-env', 'CONFORMANT_CLIENT_SECRET'],
      env: { CONFORMANT_CLIENT_ID: opescare.CLIENT_ID, CONFORMANT_CLIENT_SECRET: opescare.CLIENT_SECRET },
    },
    // patient_not_found answered at 400: "patient_not_found | 404 | ..." is broken.
    negative: { deviate: (s, a) => (s === 'patient-not-found' ? { ...a, status: 400 } : a), probe: 'unknown-patient', check: 'code-matches-status' },
  },
  {
    vendor: 'medblocks',
    burst: true,
    start: medblocks.start,
    auth: bearer(medblocks.API_KEY),
    // No error.request_id: the envelope is incomplete.
    negative: { deviate: (s, a) => (s === 'patient-not-found' ? { ...a, body: { error: { ...(a.body as Enveloped).error, request_id: undefined } } } : a), probe: 'unknown-patient', check: 'envelope-schema' },
  },
  {
    vendor: 'nhs-england',
    burst: true,
    start: nhsEngland.start,
    auth: bearer(nhsEngland.TOKEN),
    // The Spine code under a code system that is not Spine-ErrorOrWarningCode.
    negative: { deviate: (s, a) => (s === 'patient-not-found' ? { ...a, body: JSON.parse(JSON.stringify(a.body).replace(/https:\/\/fhir\.nhs\.uk\/R4\/CodeSystem\/Spine-ErrorOrWarningCode/g, 'https://example.org/errors')) } : a), probe: 'unknown-patient', check: 'coding-system' },
  },
  {
    vendor: 'fhir-r4',
    // The seed's status list stops at 500 and has no 429: the profile has no burst probe.
    burst: false,
    start: fhirR4.start,
    auth: bearer(fhirR4.TOKEN),
    // An unsupported method answered 200.
    negative: { deviate: (s, a): Answer => (s === 'metadata-method' ? { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'CapabilityStatement' } } : a), probe: 'wrong-method', check: 'probe-status' },
  },
  {
    vendor: 'healthcloud',
    burst: true,
    start: healthcloud.start,
    auth: bearer(healthcloud.API_KEY),
    // FHIR_VALIDATION_ERROR without details.issues.
    negative: { deviate: (s, a) => (s === 'observation-invalid' ? { ...a, body: { error: { ...(a.body as Enveloped).error, details: undefined } } } : a), probe: 'invalid-resource', check: 'code-required-fields' },
  },
];

const REPORTS = path.join(ROOT, 'tmp-reports');

async function verify(c: Case, server: ConformantServer, name: string): Promise<{ code: number | null; report: Report; stderr: string }> {
  mkdirSync(REPORTS, { recursive: true });
  const file = path.join(REPORTS, `${name}.json`);
  const args = [
    'verify', '--vendor', c.vendor, '--base-url', server.url, ...c.auth.args,
    // Every probe: the writing ones (these servers hold the duplicates they refuse) and the opt-in 429 burst.
    '--allow-writes', ...(c.burst ? ['--rate-limit-probe', '--max-requests', '30', '--max-wait', '5'] : []),
    '--json', file, '--quiet',
  ];
  const result = await runCli(args, c.auth.env, { timeoutMs: 90_000 });
  if (!existsSync(file)) throw new Error(`errspec wrote no report (exit ${result.code}): ${result.stderr}${result.stdout}`);
  return { code: result.code, report: JSON.parse(readFileSync(file, 'utf8')) as Report, stderr: result.stderr };
}

const rows = (report: Report, outcomes: string[]): Row[] =>
  report.exchanges.flatMap((e) => e.findings.filter((f) => outcomes.includes(f.outcome)).map((f) => ({ probe: e.id, check: f.check, outcome: f.outcome, message: f.message })));

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('run `npm run build` first: this test runs the built CLI');
});

describe.each(CASES)('errspec verify $vendor against a hand-written conformant server', (c) => {
  let baseline: Promise<{ code: number | null; report: Report; requests: number }> | undefined;
  const conformantRun = () =>
    (baseline ??= (async () => {
      const server = await c.start();
      try {
        const run = await verify(c, server, c.vendor);
        return { ...run, requests: server.requests };
      } finally {
        await server.close();
      }
    })());

  test('no failure and no warning', async () => {
    const { code, report, requests } = await conformantRun();
    expect(report.unreachable).toBeUndefined();
    expect(requests).toBeGreaterThan(0);
    // The burst reached the server's limit, so the 429 was checked, not skipped.
    if (c.burst) {
      const burst = report.exchanges.find((e) => e.id === 'rate-limited')?.response;
      expect(burst?.status).toBe(429);
      // Unlike the reference mock's delay-seconds: an RFC 9110 IMF-fixdate.
      expect(burst?.headers['retry-after']).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    }
    // Every probe was sent: nothing skipped for want of a credential or --allow-writes.
    for (const e of report.exchanges) expect({ probe: e.id, answered: e.response !== null }).toEqual({ probe: e.id, answered: true });
    expect(rows(report, ['fail', 'warn', 'error'])).toEqual([]);
    expect(code).toBe(0);
  });

  test(`a one-line deviation fails ${c.negative.probe} > ${c.negative.check}`, async () => {
    const base = await conformantRun();
    const server = await c.start(c.negative.deviate);
    let run;
    try {
      run = await verify(c, server, `${c.vendor}-deviant`);
    } finally {
      await server.close();
    }
    const failures = rows(run.report, ['fail']);
    expect(failures).toEqual(expect.arrayContaining([expect.objectContaining({ probe: c.negative.probe, check: c.negative.check, outcome: 'fail' })]));
    // The deviation breaks its own probe only: any failure the conformant run did not have is on that probe.
    const before = new Set(rows(base.report, ['fail']).map((r) => `${r.probe} > ${r.check}`));
    const added = failures.filter((r) => !before.has(`${r.probe} > ${r.check}`));
    expect(added.filter((r) => r.probe !== c.negative.probe)).toEqual([]);
    expect(run.code).toBe(1);
  });
});
