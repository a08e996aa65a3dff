import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseShard, probeInShard } from '../../src/engine/shard';
import { ROOT, runCli } from '../helpers/cli';
import { validateJunit } from '../helpers/junit-xsd';

/** Issue 17: `--shard I/N` splits a run deterministically and `errspec merge` puts the shards back into one run. */

interface Report {
  summary: Record<string, number>;
  exchanges: { id: string; entry: number | null; ok: boolean; findings: unknown[] }[];
  rules: Record<string, { source: string; text: string }>;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-merge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string): Report => JSON.parse(readFileSync(file, 'utf8')) as Report;
/** Exchanges by id; each run against the embedded mock has its own port, which messages and reproductions name. */
const byId = (r: Report) =>
  JSON.parse(JSON.stringify([...r.exchanges].sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ id, entry, ok, findings }) => ({ id, entry, ok, findings }))).replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'));

test('check --shard I/N and merge: the same totals, exchanges and findings as one unsharded run', async () => {
  const har = path.join(ROOT, 'test', 'fixtures', 'har', 'healthcloud.har');
  const whole = path.join(dir, 'whole.json');
  expect((await runCli(['check', har, '--vendor', 'opescare', '--json', whole, '--quiet'])).code).toBe(1);
  const shards: string[] = [];
  for (const i of [1, 2, 3]) {
    const file = path.join(dir, `check-${i}.json`);
    const result = await runCli(['check', har, '--vendor', 'opescare', '--shard', `${i}/3`, '--json', file, '--quiet']);
    expect(result.stderr).toBe('');
    shards.push(file);
  }
  // Each shard has its own entries: every third one.
  expect(read(shards[1]).exchanges.every((e) => e.entry! % 3 === 1)).toBe(true);
  const merged = path.join(dir, 'merged.json');
  const junit = path.join(dir, 'merged.xml');
  const result = await runCli(['merge', ...shards, '--json', merged, '--junit', junit]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(1);
  const [a, b] = [read(whole), read(merged)];
  expect(a.summary.exchanges).toBeGreaterThan(3);
  expect(b.summary).toEqual(a.summary);
  expect(b.exchanges).toEqual(a.exchanges);
  expect(b.rules).toEqual(a.rules);
  const validation = await validateJunit(readFileSync(junit));
  expect(validation.errors).toEqual([]);
});

test('verify --shard I/N and merge: the same totals and findings as one unsharded run against the embedded mock', async () => {
  const whole = path.join(dir, 'verify.json');
  expect((await runCli(['verify', '--vendor', 'opescare', '--json', whole, '--quiet'])).code).toBe(0);
  const shards = [path.join(dir, 'verify-1.json'), path.join(dir, 'verify-2.json')];
  for (const [i, file] of shards.entries()) {
    const result = await runCli(['verify', '--vendor', 'opescare', '--shard', `${i + 1}/2`, '--json', file, '--quiet']);
    expect(result.stderr).toBe('');
  }
  // Both shards do some of the work.
  for (const file of shards) expect(read(file).exchanges.length).toBeGreaterThan(0);
  const merged = path.join(dir, 'verify-merged.json');
  expect((await runCli(['merge', ...shards, '--json', merged])).code).toBe(0);
  const [a, b] = [read(whole), read(merged)];
  expect(b.summary).toEqual(a.summary);
  expect(byId(b)).toEqual(byId(a));
});

test('--shard is refused unless it is I/N with 1 <= I <= N; the split by probe is stable', async () => {
  for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1']) expect(() => parseShard(bad)).toThrow(/expected I\/N/);
  expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  const result = await runCli(['check', path.join(ROOT, 'test', 'fixtures', 'har', 'opescare.har'), '--vendor', 'opescare', '--shard', '3/2']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--shard 3/2: expected I/N');
  // Each probe is in exactly one shard.
  for (const probe of ['missing-credential', 'unknown-patient', 'rate-limit']) {
    expect([1, 2, 3].filter((index) => probeInShard({ index, count: 3 }, 'opescare', probe))).toHaveLength(1);
  }
});
