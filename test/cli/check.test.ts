import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/cli';

const HAR_DIR = path.join(ROOT, 'test', 'fixtures', 'har');
const harOf = (vendor: string): string => path.join(HAR_DIR, `${vendor}.har`);

/** Per HAR entry: whether it conforms, and the checks that fail on it (sorted). */
type Verdict = [ok: boolean, failingChecks: string[]];
const PASS: Verdict = [true, []];

const verdicts: Record<string, Verdict[]> = {
  opescare: [
    PASS, // 200 patient search
    PASS, // 201 consent created
    PASS, // 403 the seed's invalid_scope example
    PASS, // 429 rate_limit_exceeded with Retry-After
    [false, ['status-field-matches']], // 404 whose status field says 400
    [false, ['required-headers']], // 429 without the promised Retry-After
    [false, ['known-code']], // 401 with a code the table does not list
    PASS, // 400 with a code the seed leaves open (warns)
    [false, ['json-body', 'media-type']], // 500 HTML page
  ],
  medblocks: [
    PASS, // 200
    PASS, // 401 the seed's invalid_api_key example
    PASS, // 404 resource_not_found
    PASS, // 429 without Retry-After: not promised (warns)
    [false, ['code-matches-type']], // invalid_api_key typed permission_error
    [false, ['envelope-schema']], // no request_id
    [false, ['known-code']], // card_declined is not a public code
    PASS, // 204 delete
    [false, ['retry-after-syntax']], // Retry-After: soon
  ],
  'nhs-england': [
    PASS, // 200 Patient
    PASS, // 404 RESOURCE_NOT_FOUND
    PASS, // 403 ACCESS_DENIED
    PASS, // 401 ACCESS_DENIED
    PASS, // 400 MISSING_VALUE under the STU3 system (warns)
    PASS, // 401 as application/json (warns)
    [false, ['coding-system']], // Spine code under another system
    [false, ['code-matches-status']], // RESOURCE_NOT_FOUND at 400
    PASS, // 429 without Retry-After: not promised (warns)
    [false, ['envelope-schema']], // severity "critical"
  ],
  'fhir-r4': [
    PASS, // 200 Patient
    PASS, // 201 Patient created
    PASS, // 400 the seed's Validation Errors example
    PASS, // 404 the seed's Not Found example
    PASS, // 409 the seed's Version Conflict example
    PASS, // 405 not-supported (an open code: warns)
    [true, []], // invalid at 404: the seed's pairings are examples; FHIR R4 ties no IssueType to a status
    [false, ['envelope-schema']], // issue: []
    [false, ['json-body', 'media-type']], // 500 HTML page
    [false, ['envelope-schema']], // expression as a string
  ],
  healthcloud: [
    PASS, // 200 Patient
    PASS, // 404 the seed's NOT_FOUND example
    PASS, // 429 the seed's example with its headers
    PASS, // 422 the seed's FHIR_VALIDATION_ERROR example
    [false, ['required-headers']], // 429 without Retry-After
    [false, ['required-headers']], // 429 with X-RateLimit-Remaining 5
    [false, ['code-required-fields']], // FHIR_VALIDATION_ERROR without details.issues
    [false, ['known-code']], // a code outside the table
    [false, ['retry-after-syntax']], // Retry-After: 12.5
    PASS, // 503 SERVICE_UNAVAILABLE
  ],
};

interface Report {
  vendor: string;
  source: string;
  target: string;
  summary: { exchanges: number; failed: number };
  exchanges: { id: string; entry: number; response: { status: number }; ok: boolean; findings: { check: string; outcome: string }[] }[];
}

function check(...args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'check', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** One run per vendor HAR, shared by the tests that read it. */
const runs = new Map<string, ReturnType<typeof check>>();
function checkVendorHar(vendor: string): ReturnType<typeof check> {
  if (!runs.has(vendor)) runs.set(vendor, check(harOf(vendor), '--vendor', vendor, '--json', '-'));
  return runs.get(vendor)!;
}

let tmp: string;

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('the CLI is not built: run `npm run build` first');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'errspec-check-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.each(Object.keys(verdicts))('errspec check on %s.har', (vendor) => {
  test('gives each entry its verdict and exits 1', () => {
    const { code, stdout, stderr } = checkVendorHar(vendor);
    const report = JSON.parse(stdout) as Report;
    expect({ vendor: report.vendor, source: report.source, target: report.target }).toEqual({ vendor, source: 'har', target: harOf(vendor) });
    const actual = report.exchanges.map((e): Verdict => [e.ok, e.findings.filter((f) => f.outcome === 'fail').map((f) => f.check).sort()]);
    expect(actual).toEqual(verdicts[vendor]);
    expect(report.exchanges.map((e) => [e.id, e.entry])).toEqual(verdicts[vendor].map((_v, i) => [`entry-${i}`, i]));
    expect(report.summary.exchanges).toBe(verdicts[vendor].length);
    expect(code).toBe(1);
    expect(stderr).toContain(vendor);
  });

  test('lists 2xx entries with no findings', () => {
    const report = JSON.parse(checkVendorHar(vendor).stdout) as Report;
    const ok2xx = report.exchanges.filter((e) => e.response.status < 300);
    expect(ok2xx.length).toBeGreaterThan(0);
    for (const e of ok2xx) expect({ entry: e.entry, ok: e.ok, findings: e.findings }).toEqual({ entry: e.entry, ok: true, findings: [] });
  });

  test('exits 0 on the conformant entries alone, warnings included', () => {
    const har = JSON.parse(readFileSync(harOf(vendor), 'utf8'));
    har.log.entries = har.log.entries.filter((_e: unknown, i: number) => verdicts[vendor][i][0]);
    const file = path.join(tmp, `${vendor}-conformant.har`);
    writeFileSync(file, JSON.stringify(har));
    const { code, stdout } = check(file, '--vendor', vendor, '--json', '-');
    expect((JSON.parse(stdout) as Report).exchanges.every((e) => e.ok)).toBe(true);
    expect(code).toBe(0);
  });

  test('never prints the recorded credential', () => {
    const { stdout, stderr } = checkVendorHar(vendor);
    expect(`${stdout}${stderr}`).not.toContain('har-fixture-token');
  });
});

describe('errspec check with warnings', () => {
  test('--strict fails an entry that only warns', () => {
    const har = JSON.parse(readFileSync(harOf('medblocks'), 'utf8'));
    har.log.entries = [har.log.entries[3]]; // 429 without Retry-After: medblocks never promised it
    const file = path.join(tmp, 'medblocks-warn.har');
    writeFileSync(file, JSON.stringify(har));
    expect(check(file, '--vendor', 'medblocks', '--json', '-').code).toBe(0);
    const strict = check(file, '--vendor', 'medblocks', '--json', '-', '--strict');
    expect(strict.code).toBe(1);
    expect((JSON.parse(strict.stdout) as Report).exchanges[0].findings).toContainEqual(expect.objectContaining({ check: 'required-headers', outcome: 'fail' }));
  });
});

describe('errspec check misuse exits 2 with one line', () => {
  const oneLine = (stderr: string): string => {
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/\bat .*:\d+:\d+\)?$/);
    return lines[0];
  };

  test('a HAR that is not JSON', () => {
    const file = path.join(tmp, 'broken.har');
    writeFileSync(file, '{"log": {"entries": [');
    const { code, stderr } = check(file, '--vendor', 'opescare');
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain(file);
  });

  test('a JSON file without log.entries', () => {
    const file = path.join(tmp, 'no-entries.har');
    writeFileSync(file, JSON.stringify({ log: { version: '1.2' } }));
    const { code, stderr } = check(file, '--vendor', 'healthcloud');
    expect(code).toBe(2);
    expect(oneLine(stderr)).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*log\\.entries`));
  });

  test('a HAR file that does not exist', () => {
    const file = path.join(tmp, 'missing.har');
    const { code, stderr } = check(file, '--vendor', 'fhir-r4');
    expect(code).toBe(2);
    expect(oneLine(stderr)).toContain(file);
  });

  test('an unknown vendor', () => {
    const { code, stderr } = check(harOf('opescare'), '--vendor', 'acme');
    expect(code).toBe(2);
    const line = oneLine(stderr);
    expect(line).toContain('"acme"');
    expect(line).toContain('nhs-england');
  });

  test('a profile file that fails its schema', () => {
    const file = path.join(tmp, 'healthcloud-broken.yaml');
    const yaml = readFileSync(path.join(ROOT, 'contracts', 'vendors', 'healthcloud.yaml'), 'utf8');
    writeFileSync(file, yaml.replace('unknownCode: { outcome: fail,', 'unknownCode: { outcome: maybe,'));
    const { code, stderr } = check(harOf('healthcloud'), '--vendor', file);
    expect(code).toBe(2);
    const line = oneLine(stderr);
    expect(line).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: profile invalid`));
    expect(line).toContain('outcome');
  });
});
