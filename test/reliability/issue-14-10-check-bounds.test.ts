import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { generateHar } from '../../bench/har';
import { LineBuffer } from '../../src/cli/check';
import { HarInvalidError } from '../../src/errors';
import { harRawBatches } from '../../src/har/read';
import { BIN, ROOT, runCli } from '../helpers/cli';

/** Issue 14, item 10: `check` with report paths, signals, endless or oddly encoded input, and many progress lines. */

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-issue-14-10-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HAR = path.join(ROOT, 'test', 'fixtures', 'har', 'opescare.har');

test('check report paths before the first request: an unwritable --json is refused before the capture is read', async () => {
  const folder = path.join(dir, 'a-folder');
  mkdirSync(folder);
  // The capture does not even exist: the report path is refused first.
  const result = await runCli(['check', path.join(dir, 'missing.har'), '--vendor', 'opescare', '--json', folder, '--junit', path.join(dir, 'ok.xml')]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`--json ${folder}: cannot write the report there (EISDIR)`);
  expect(result.stderr).not.toContain('missing.har');
  expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
});

test('SIGINT during check leaves no hidden .part files', async () => {
  const sub = mkdtempSync(path.join(dir, 'sigint-'));
  // Large enough to be read by worker threads and to take seconds: the signal arrives mid-run.
  const har = generateHar(path.join(dir, 'sigint.har'), { vendors: ['opescare', 'healthcloud'], entries: 40_000 });
  const child = spawn(process.execPath, [BIN, 'check', har.file, '--vendor', 'opescare', '--json', path.join(sub, 'r.json'), '--junit', path.join(sub, 'j.xml')], {
    cwd: ROOT, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  // Wait (bounded) until both reports' temporary files exist, then interrupt.
  for (let i = 0; i < 400 && readdirSync(sub).filter((f) => f.endsWith('.part')).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
  expect(readdirSync(sub).filter((f) => f.endsWith('.part'))).toHaveLength(2);
  child.kill('SIGINT');
  const code = await exited;
  expect(stderr).toContain('interrupted by SIGINT; no report written');
  expect(code).toBe(130);
  expect(readdirSync(sub)).toEqual([]);
});

test('check /dev/zero is bounded: refused at its first byte, and a runaway value stops at the cap', async () => {
  const result = await runCli(['check', '/dev/zero', '--vendor', 'opescare']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('/dev/zero: not a HAR file: invalid JSON (it starts with byte 0x00, binary data?');
  // A value that never ends (an unterminated string) grows the buffer only up to the cap.
  const runaway = path.join(dir, 'runaway.har');
  writeFileSync(runaway, `{"log": {"entries": [{"x": "${'a'.repeat(300_000)}`);
  expect(() => [...harRawBatches(runaway, { chunkBytes: 4096, maxValueBytes: 65_536 })]).toThrow(HarInvalidError);
  expect(() => [...harRawBatches(runaway, { chunkBytes: 4096, maxValueBytes: 65_536 })]).toThrow(/runaway.har: not a HAR file: a value at byte \d+ is longer than/);
});

test('check keeps progress lines bounded: past 1 MiB they are written as they come', () => {
  const out = new PassThrough();
  let written = 0;
  let writes = 0;
  out.on('data', (d: Buffer) => {
    written += d.length;
    writes++;
  });
  const limit = 10_000;
  const lines = new LineBuffer(out, limit);
  const line = 'x'.repeat(99);
  for (let i = 0; i < 1000; i++) lines.push(line);
  // 100,000 bytes pushed: all but less than one limit's worth is already out.
  expect(written).toBeGreaterThan(100_000 - limit);
  expect(writes).toBeGreaterThanOrEqual(9);
  lines.end();
  expect(written).toBe(100_000);
});

test('a UTF-16 HAR gets a message that names the encoding, without NUL bytes', async () => {
  const text = JSON.stringify({ log: { version: '1.2', entries: [] } });
  const cases: [string, Buffer][] = [
    ['UTF-16LE', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16LE', Buffer.from(text, 'utf16le')],
    ['UTF-16BE', Buffer.from(Buffer.from(text, 'utf16le')).swap16()],
  ];
  for (const [i, [encoding, bytes]] of cases.entries()) {
    const file = path.join(dir, `utf16-${i}.har`);
    writeFileSync(file, bytes);
    const result = await runCli(['check', file, '--vendor', 'opescare']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`not a HAR file: it is encoded as ${encoding}; HAR files are UTF-8`);
    expect(result.stderr).not.toContain('\u0000');
  }
  // The fixture, in UTF-8, is still read.
  expect((await runCli(['check', HAR, '--vendor', 'opescare', '--quiet'])).stderr).toBe('');
});
