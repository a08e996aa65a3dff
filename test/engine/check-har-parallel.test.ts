import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkHar } from '../../src/engine/check-har';
import { checkHarRendered } from '../../src/engine/check-har-parallel';
import { loadProfile } from '../../src/profile/load';
import type { EvaluatedExchange } from '../../src/types';
import { BIN, ROOT } from '../helpers/cli';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'har');
let dir: string;

beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'src', 'engine', 'check-har-worker.js'))) throw new Error('the CLI is not built: run `npm run build` first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-check-parallel-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every vendor's fixture entries, many times over, so batches are many and small. */
function bigHar(): string {
  const file = path.join(dir, 'many.har');
  if (existsSync(file)) return file;
  const entries = ['opescare', 'medblocks', 'nhs-england', 'fhir-r4', 'healthcloud'].flatMap((v) => JSON.parse(readFileSync(path.join(FIXTURES, `${v}.har`), 'utf8')).log.entries);
  writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: Array.from({ length: 150 }, () => entries).flat() } }, null, 1));
  return file;
}

function check(workers: number, args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'check', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', GITHUB_STEP_SUMMARY: '', ERRSPEC_CHECK_WORKERS: String(workers) },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Reports of a run, without what changes from run to run (the start time, the duration). */
const stable = (text: string): string =>
  text.replace(/"startedAt": "[^"]+"/g, '"startedAt": 0').replace(/"durationMs": \d+/g, '"durationMs": 0').replace(/timestamp="[^"]+"/g, 'timestamp=""').replace(/time="[\d.]+"/g, 'time=""');

describe('errspec check with worker threads', () => {
  test.each([1, 2, 3])('%i worker(s): the same lines, summary, exit code and reports as on one thread', (workers) => {
    const har = bigHar();
    const outputs = [0, workers].map((w) => {
      const json = path.join(dir, `w${w}.json`);
      const junit = path.join(dir, `w${w}.xml`);
      const run = check(w, [har, '--vendor', 'opescare', '--json', json, '--junit', junit]);
      return { ...run, stdout: run.stdout.replaceAll(`w${w}.`, 'w.'), json: stable(readFileSync(json, 'utf8')), junit: stable(readFileSync(junit, 'utf8')) };
    });
    expect(outputs[1]).toEqual(outputs[0]);
    expect(outputs[0].code).toBe(1);
    expect(outputs[0].stdout).toContain('FAIL opescare entry-');
  });

  test('a HAR broken deep inside is refused in one line, as on one thread, and no report is written', () => {
    const har = readFileSync(bigHar(), 'utf8');
    const cut = har.indexOf('"status"', Math.floor(har.length * 0.7));
    const broken = path.join(dir, 'broken.har');
    writeFileSync(broken, `${har.slice(0, cut)}"status" 404${har.slice(cut + '"status"'.length)}`);
    const json = path.join(dir, 'broken.json');
    const runs = [0, 2].map((w) => check(w, [broken, '--vendor', 'opescare', '--json', json]));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0].code).toBe(2);
    expect(runs[0].stderr.trim().split('\n')).toHaveLength(1);
    expect(runs[0].stderr).toMatch(/invalid JSON in entry \d+/);
    expect(existsSync(json)).toBe(false);
  });

  test('a HAR cut short is refused as on one thread', () => {
    const har = readFileSync(bigHar(), 'utf8');
    const cut = path.join(dir, 'cut.har');
    writeFileSync(cut, har.slice(0, Math.floor(har.length * 0.9)));
    const runs = [0, 2].map((w) => check(w, [cut, '--vendor', 'fhir-r4']));
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0].code).toBe(2);
    expect(runs[0].stderr).toMatch(/invalid JSON \(unexpected end of file/);
  });
});

describe('checkHarRendered on this thread', () => {
  test('renders the exchanges checkHar returns, in order, with the same totals', async () => {
    const file = path.join(FIXTURES, 'healthcloud.har');
    const rendered: EvaluatedExchange[] = [];
    const renderer = { module: path.join(ROOT, 'reporters', 'har-render.ts'), options: { vendor: 'healthcloud', color: false, lines: false, json: false, junit: false, keep: true } };
    const head = await checkHarRendered<{ exchange: EvaluatedExchange }>('healthcloud', file, { workers: 0 }, renderer, (r) => rendered.push(r.exchange));
    const run = checkHar(loadProfile('healthcloud'), file);
    expect(rendered).toEqual(run.exchanges);
    expect(head.summary.exchanges).toBe(run.exchanges.length);
    expect(head.failed).toBe(run.exchanges.some((e) => !e.ok));
  });
});
