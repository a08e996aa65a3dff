import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { create } from 'xmlbuilder2';
import { renderJunit } from '../../reporters/junit';
import { writeReports } from '../../reporters/write';
import { vendorIds } from '../../src/profile/load';
import type { Finding, VendorRun } from '../../src/types';
import { runCli } from '../helpers/cli';
import { validateJunit } from '../helpers/junit-xsd';
import { HOSTILE, fixedRun, hostileRun, passingRun, unreachableRun } from '../helpers/runs';

// Characters XML 1.0 forbids even as character references.
const NOT_XML = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

type Element = { getAttribute(name: string): string | null; getElementsByTagName(name: string): ArrayLike<Element>; textContent: string | null };
const elements = (xml: string, tag: string): Element[] => Array.from((create(xml).node as unknown as Element).getElementsByTagName(tag));
const within = (parent: Element, tag: string): Element[] => Array.from(parent.getElementsByTagName(tag));

async function expectValid(xml: string | Buffer): Promise<void> {
  const result = await validateJunit(xml);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
}

/** tests, failures, errors and skipped of every suite (and of the root) agree with its testcases. */
function expectCountsAgree(xml: string): void {
  const suites = elements(xml, 'testsuite');
  for (const suite of suites) {
    const cases = within(suite, 'testcase');
    expect(suite.getAttribute('tests')).toBe(String(cases.length));
    expect(suite.getAttribute('failures')).toBe(String(within(suite, 'failure').length));
    expect(suite.getAttribute('errors')).toBe(String(within(suite, 'error').length));
    expect(suite.getAttribute('skipped')).toBe(String(within(suite, 'skipped').length));
    expect(suite.getAttribute('time')).toMatch(/^\d+\.\d{3}$/);
    for (const testcase of cases) {
      expect(testcase.getAttribute('classname')).toBe(suite.getAttribute('name'));
      expect(testcase.getAttribute('time')).toMatch(/^\d+\.\d{3}$/);
    }
  }
  const root = elements(xml, 'testsuites')[0];
  const sum = (attribute: string) => suites.reduce((n, s) => n + Number(s.getAttribute(attribute)), 0);
  expect(Number(root.getAttribute('tests'))).toBe(sum('tests'));
  expect(Number(root.getAttribute('failures'))).toBe(sum('failures'));
  expect(Number(root.getAttribute('errors'))).toBe(sum('errors'));
}

/** Counts agree, suites are the runs in order, and times are the runs' and the exchanges' durations. */
function expectSuites(xml: string, runs: VendorRun[]): void {
  expectCountsAgree(xml);
  const suites = elements(xml, 'testsuite');
  expect(suites.map((s) => s.getAttribute('name'))).toEqual(runs.map((r) => r.vendor));
  suites.forEach((suite, i) => {
    expect(suite.getAttribute('time')).toBe((runs[i].durationMs / 1000).toFixed(3));
    // Each exchange's request time is counted once, so testcase times add up to the exchanges' time.
    const caseTime = within(suite, 'testcase').reduce((sum, c) => sum + Number(c.getAttribute('time')), 0);
    const exchangeTime = runs[i].exchanges.filter((e) => e.findings.length > 0).reduce((sum, e) => sum + (e.durationMs ?? 0), 0) / 1000;
    expect(caseTime).toBeCloseTo(exchangeTime, 3);
  });
}

describe('renderJunit', () => {
  it('validates against the Jenkins JUnit XSD with correct counts on every suite', async () => {
    const runs = [fixedRun(), passingRun(), unreachableRun()];
    const xml = renderJunit(runs);
    await expectValid(xml);
    expectSuites(xml, runs);
  });

  it('names testcases <exchange id> > <check id> and puts expected, actual and the reproduction in <failure>', () => {
    const xml = renderJunit([fixedRun()]);
    const names = elements(xml, 'testcase').map((t) => t.getAttribute('name'));
    expect(names).toContain('unknown-patient > code-matches-status');
    expect(names).toContain('server-error > media-type');
    const failure = elements(xml, 'failure')[0];
    expect(failure.getAttribute('type')).toBe('code-matches-status');
    expect(failure.textContent).toContain('expected: ["patient_not_found","facility_not_found"]');
    expect(failure.textContent).toContain('actual: not_found');
    expect(failure.textContent).toContain('rule: opescare.code-table (seed 000)');
    expect(failure.textContent).toContain('reproduce: curl -i -X GET');
    expect(elements(xml, 'error')[0].getAttribute('type')).toBe('transport');
    expect(elements(xml, 'skipped')).toHaveLength(1);
  });

  it('stays valid XML that validates when the response is full of XML-hostile bytes', async () => {
    const xml = renderJunit([hostileRun()]);
    expect(xml).not.toMatch(NOT_XML);
    expect(xml).not.toContain('<script>');
    await expectValid(xml);
    expectSuites(xml, [hostileRun()]);
    // The reader still sees what came back: controls as \uXXXX, markup and ]]> as text.
    const failure = elements(xml, 'failure')[0].textContent!;
    expect(failure).toContain('\\u0000\\u0001');
    expect(failure).toContain('\\ud800 lone high');
    expect(failure).toContain(']]> <![CDATA[');
    expect(failure).toContain('<script>document.title');
    expect(failure).toContain('\uFFFD');
    expect(failure).toContain('😀 astral stays');
  });

  it('is valid for any text a target can send (property)', async () => {
    const unit = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      fc.constantFrom(']]>', '<', '>', '&', '"', "'", '\uD83D\uDE00', '\r\n'),
    );
    const text = fc.string({ unit, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, text, text), { minLength: 1, maxLength: 25 }), async (rows) => {
        const run = fixedRun();
        run.exchanges = rows.map(([id, message, body], i) => {
          const finding: Finding = { check: `check-${i}`, outcome: (['fail', 'error', 'skip', 'warn', 'pass'] as const)[i % 5], message, actual: body, expected: { body } };
          return { id, entry: i, request: { method: 'GET', url: `http://127.0.0.1/${id}`, headers: {} }, response: { status: 500, headers: {}, body }, ok: false, findings: [finding] };
        });
        const xml = renderJunit([run]);
        expect(xml).not.toMatch(NOT_XML);
        await expectValid(xml);
        expectSuites(xml, [run]);
      }),
      { numRuns: 12 },
    );
  });

  it('writes bytes to disk that validate (writeReports)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-junit-'));
    try {
      const file = path.join(dir, 'junit.xml');
      writeReports([hostileRun(), fixedRun()], { junit: file }, process.stdout, {});
      await expectValid(readFileSync(file));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('errspec check --junit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-check-junit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JUnit that validates from a HAR whose response bodies are hostile', async () => {
    const har = path.join(dir, 'hostile.har');
    const entry = (status: number, mimeType: string, content: { text: string; encoding?: string }) => ({
      startedDateTime: '2026-11-22T15:00:00.000Z',
      time: 3,
      request: { method: 'GET', url: 'http://127.0.0.1:4010/api/v1/connect/patient/OPC-2024-99999', httpVersion: 'HTTP/1.1', headers: [{ name: 'Authorization', value: 'Bearer s3cr3t-token' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
      response: { status, statusText: '', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: mimeType }], cookies: [], content: { size: -1, mimeType, ...content }, redirectURL: '', headersSize: -1, bodySize: -1 },
      cache: {},
      timings: { send: 0, wait: 3, receive: 0 },
    });
    const invalidUtf8 = Buffer.concat([Buffer.from('{"error":"'), Buffer.from([0xff, 0xfe, 0x00, 0x1b, 0xc3]), Buffer.from('","status":404}')]);
    writeFileSync(har, JSON.stringify({
      log: {
        version: '1.2',
        creator: { name: 'test', version: '1' },
        entries: [
          entry(404, 'text/html', { text: HOSTILE }),
          entry(404, 'application/json', { text: invalidUtf8.toString('base64'), encoding: 'base64' }),
          entry(401, 'application/json', { text: '{"error":"token_expired","message":"expired","status":401}' }),
        ],
      },
    }));
    const junit = path.join(dir, 'check.xml');
    const result = await runCli(['check', har, '--vendor', 'opescare', '--junit', junit, '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const bytes = readFileSync(junit);
    await expectValid(bytes);
    const xml = bytes.toString('utf8');
    expect(xml).not.toContain('s3cr3t-token');
    expectCountsAgree(xml);
    expect(elements(xml, 'testcase').length).toBeGreaterThan(0);
  });
});

describe('errspec verify --all --junit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-verify-junit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes JUnit of every vendor that validates, with counts that agree', async () => {
    const junit = path.join(dir, 'verify.xml');
    const result = await runCli(['verify', '--all', '--junit', junit, '--quiet']);
    expect(result.code).toBe(0);
    const bytes = readFileSync(junit);
    await expectValid(bytes);
    const xml = bytes.toString('utf8');
    expectCountsAgree(xml);
    expect(elements(xml, 'testsuite').map((s) => s.getAttribute('name'))).toEqual(vendorIds());
  });
});
