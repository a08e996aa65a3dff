import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { runSummary } from '../../src/engine/summary';
import type { EvaluatedExchange, Finding, VendorRun } from '../../src/types';
import { renderJson } from '../../reporters/json';
import { renderJunit } from '../../reporters/junit';
import { StreamedReport, type RunHead } from '../../reporters/stream';
import { fixedRun } from '../helpers/runs';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-stream-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const headOf = (run: VendorRun): RunHead => {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { exchanges, ...rest } = run;
  return { ...rest, summary: runSummary(run) };
};

let n = 0;
function streamed(kind: 'json' | 'junit', run: VendorRun): string {
  const file = path.join(dir, `${n++}.${kind}`);
  const report = kind === 'json' ? StreamedReport.json(file) : StreamedReport.junit(file, run.vendor);
  for (const exchange of run.exchanges) report.add(exchange);
  report.finish(headOf(run));
  const written = readFileSync(file, 'utf8');
  // The streamed JSON leaves room for a timestamp of the usual length, padded after its opening brace when shorter.
  if (kind === 'json') return written.replace(/^\{ *\n/, '{\n');
  // The streamed JUnit reserves room for its totals and pads what it does not use with spaces inside its first tag.
  const padded = /^(<\?xml[^>]*>\n<testsuites[^>]*?)( *)>/.exec(written);
  expect(padded).not.toBeNull();
  return written.replace(padded![0], `${padded![1]}>`);
}

/** Any text a target or a HAR may put into a report: markup, quotes, control characters, lone surrogates. */
const text = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ' ', '&', '<', '>', '"', "'", '\n', '\r', '\t', ']]>', '\u0000', '\u001b', '\ud800', 'é', '🩺') }),
  fc.string({ unit: 'binary', maxLength: 40 }),
);
const finding: fc.Arbitrary<Finding> = fc.record(
  {
    check: fc.constantFrom('envelope-schema', 'known-code', 'media-type', 'retry-after-syntax'),
    outcome: fc.constantFrom('pass', 'fail', 'warn', 'skip', 'error'),
    message: text,
    // Every field a rule map entry can have: the streamed report dropped `url` once (a vendor document's address).
    rule: fc.record({ id: text, source: text, text, url: text, quote: fc.array(text, { maxLength: 2 }), example: fc.constant(true) }, { requiredKeys: ['id', 'source', 'text'] }),
    expected: fc.jsonValue({ maxDepth: 2 }),
    actual: fc.oneof(fc.jsonValue({ maxDepth: 2 }), text),
    repro: text,
  },
  { requiredKeys: ['check', 'outcome', 'message'] },
);
const exchange: fc.Arbitrary<EvaluatedExchange> = fc.record({
  id: text,
  entry: fc.oneof(fc.nat(), fc.constant(null)),
  request: fc.record({ method: fc.constantFrom('GET', 'POST'), url: text, headers: fc.dictionary(text, text, { maxKeys: 3 }) }),
  response: fc.option(fc.record({ status: fc.integer({ min: 100, max: 599 }), headers: fc.dictionary(text, text, { maxKeys: 3 }), body: text }), { nil: undefined }),
  durationMs: fc.option(fc.double({ min: 0, max: 1e5, noNaN: true }), { nil: undefined }),
  ok: fc.boolean(),
  findings: fc.array(finding, { maxLength: 4 }),
}).map((e) => (e.response ? e : { ...e, transportError: { code: 'ECONNRESET', message: 'reset <by> "peer"' } }));
const run: fc.Arbitrary<VendorRun> = fc.record({
  vendor: fc.oneof(fc.constantFrom('opescare', 'fhir-r4'), text),
  title: text,
  target: text,
  source: fc.constantFrom('har', 'probe'),
  startedAt: fc.constantFrom('2026-11-22T15:00:00.000Z', '2026-11-22T15:00:00Z'),
  durationMs: fc.nat({ max: 10_000_000 }),
  strict: fc.boolean(),
  exchanges: fc.array(exchange, { maxLength: 6 }),
  unreachable: fc.option(text, { nil: undefined }),
}).map((r) => (r.unreachable === undefined ? (({ unreachable: _u, ...rest }) => rest)(r) : r) as VendorRun);

describe('streamed reports are byte for byte the rendered ones (JUnit: but for the spaces that pad its first tag)', () => {
  test('the fixed run', () => {
    const fixed = fixedRun();
    expect(streamed('json', fixed)).toBe(renderJson([fixed]));
    expect(streamed('junit', fixed)).toBe(renderJunit([fixed]));
  });

  test('a run without exchanges, and one whose exchanges have no findings', () => {
    const empty = { ...fixedRun(), exchanges: [] };
    const quiet = { ...fixedRun(), exchanges: fixedRun().exchanges.map((e) => ({ ...e, findings: [] })) };
    for (const r of [empty, quiet]) {
      expect(streamed('json', r)).toBe(renderJson([r]));
      expect(streamed('junit', r)).toBe(renderJunit([r]));
    }
  });

  test('property: any run, hostile text included', () => {
    fc.assert(
      fc.property(run, (r) => {
        expect(streamed('json', r)).toBe(renderJson([r]));
        expect(streamed('junit', r)).toBe(renderJunit([r]));
      }),
      { numRuns: 200 },
    );
  });

  test('many exchanges, across the part file flushes', () => {
    const base = fixedRun();
    const many = { ...base, exchanges: Array.from({ length: 3000 }, (_v, i) => ({ ...base.exchanges[i % base.exchanges.length], id: `entry-${i}`, entry: i })) };
    expect(streamed('json', many)).toBe(renderJson([many]));
    expect(streamed('junit', many)).toBe(renderJunit([many]));
  });
});

describe('StreamedReport', () => {
  test('--json - writes to the stream', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const fixed = fixedRun();
    const report = StreamedReport.json(out);
    for (const e of fixed.exchanges) report.add(e);
    report.finish(headOf(fixed));
    await new Promise((resolve) => setImmediate(resolve));
    expect(Buffer.concat(chunks).toString('utf8')).toBe(renderJson([fixed]));
  });

  test('abort leaves neither the report nor its part file', () => {
    const sub = mkdtempSync(path.join(dir, 'abort-'));
    const file = path.join(sub, 'report.json');
    const report = StreamedReport.json(file);
    for (const e of fixedRun().exchanges) report.add(e);
    report.abort();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(sub)).toEqual([]);
  });
});

describe('the head written at the end fits the room reserved at the start (no second copy of the report)', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const fs = require('node:fs') as typeof import('node:fs');
  /** Files opened for writing while `body` runs: a head that outgrew its room opens `<part>.head` and copies the report into it. */
  const opened = (body: () => void): string[] => {
    const spy = jest.spyOn(fs, 'openSync');
    try {
      body();
      return spy.mock.calls.map((c) => String(c[0]));
    } finally {
      spy.mockRestore();
    }
  };
  const coverage = { documented: ['alpha_code', 'beta_code', 'gamma_code'], observed: ['beta_code'], never: ['alpha_code', 'gamma_code'] };

  test('JUnit with the coverage properties, when the documented codes are known at the start (errspec check)', () => {
    const run = { ...fixedRun(), coverage };
    const file = path.join(dir, 'coverage.xml');
    const known = { target: run.target, coverage: { documented: coverage.documented, observed: [], never: coverage.documented } };
    const files = opened(() => {
      const report = StreamedReport.junit(file, run.vendor, known);
      for (const exchange of run.exchanges) report.add(exchange);
      report.finish(headOf(run));
    });
    expect(files.filter((f) => f.endsWith('.head'))).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('<property name="coverage.observed" value="beta_code"/>');
    // Without them known, the same report needs the copy: the assertion above can fail.
    const unknown = opened(() => {
      const report = StreamedReport.junit(path.join(dir, 'coverage-unknown.xml'), run.vendor, { target: run.target });
      for (const exchange of run.exchanges) report.add(exchange);
      report.finish(headOf(run));
    });
    expect(unknown.filter((f) => f.endsWith('.head'))).toHaveLength(1);
  });

  test('JSON and JUnit of a proxy run, when its vendor, target and source are known at the start', () => {
    const run: VendorRun = { ...fixedRun(), source: 'proxy', targetKind: 'proxy-upstream' };
    const known = { vendor: run.vendor, target: run.target, targetKind: run.targetKind, source: run.source };
    const files = opened(() => {
      for (const report of [StreamedReport.json(path.join(dir, 'proxy.json'), known), StreamedReport.junit(path.join(dir, 'proxy.xml'), run.vendor, known)]) {
        for (const exchange of run.exchanges) report.add(exchange);
        report.finish(headOf(run));
      }
    });
    expect(files.filter((f) => f.endsWith('.head'))).toEqual([]);
    expect(JSON.parse(readFileSync(path.join(dir, 'proxy.json'), 'utf8'))).toEqual(JSON.parse(renderJson([run])));
  });
});
