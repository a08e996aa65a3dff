import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../helpers/cli';
import { validateJunit } from '../helpers/junit-xsd';
import { envelope, httpFault, type FaultServer } from './fault-servers';

const TOKEN_ENV = 'ERRSPEC_INTERRUPT_TOKEN';
const TOKEN = 'interrupt-token-3b9e71';

/** Answers the first request as documented, then holds every later one open: the run is mid-probe for as long as the test likes. */
function slowAfterFirst(): Promise<FaultServer & { secondArrived: Promise<void> }> {
  let arrived: () => void = () => undefined;
  const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
  let seen = 0;
  return httpFault((_req, res) => {
    seen++;
    if (seen === 1) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(envelope(401, 'token_invalid'));
      return;
    }
    arrived();
  }).then((server) => Object.assign(server, { secondArrived }));
}

interface Interrupted {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  dir: string;
}

/** Start `errspec verify`, wait until the second probe is in flight, then send `signal`. */
async function interruptVerify(server: FaultServer & { secondArrived: Promise<void> }, signal: NodeJS.Signals, vendors: string[], times = 1): Promise<Interrupted> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-interrupt-'));
  const child = spawn(process.execPath, [
    BIN, 'verify', ...vendors.flatMap((v) => ['--vendor', v]), '--base-url', server.url, '--token-env', TOKEN_ENV,
    // Far longer than the test: only the signal can end the held probe.
    '--timeout', '600000',
    '--json', path.join(dir, 'report.json'), '--junit', path.join(dir, 'junit.xml'),
  ], { cwd: ROOT, env: { ...process.env, [TOKEN_ENV]: TOKEN, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, sig) => resolve({ code, signal: sig })));
  await server.secondArrived;
  for (let i = 0; i < times; i++) child.kill(signal);
  return { ...(await exited), stdout, stderr, dir };
}

interface JsonReport {
  vendor: string;
  notes?: string[];
  exchanges: { id: string; findings: { outcome: string }[] }[];
}

async function expectWellFormedReports(dir: string): Promise<JsonReport> {
  // Only the two reports: no temp file of a half-done write is left behind.
  expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'report.json']);
  const xml = readFileSync(path.join(dir, 'junit.xml'));
  expect((await validateJunit(xml)).errors).toEqual([]);
  return JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as JsonReport;
}

describe('an interrupted errspec verify writes the reports of what finished', () => {
  let server: (FaultServer & { secondArrived: Promise<void> }) | undefined;
  afterEach(async () => server?.close());

  test('SIGINT mid-probe: exit 130, the finished probe reported, the interrupted one left out', async () => {
    server = await slowAfterFirst();
    const { code, signal, stdout, stderr, dir } = await interruptVerify(server, 'SIGINT', ['opescare']);
    expect(signal).toBeNull();
    expect(code).toBe(130);
    expect(stderr).toContain('errspec: SIGINT received: stopping the probes and writing the reports of what finished');
    expect(stderr).toContain('errspec: interrupted by SIGINT: the reports hold what finished');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stdout).toContain(`wrote ${path.join(dir, 'junit.xml')}`);
    const report = await expectWellFormedReports(dir);
    expect(report.exchanges.map((e) => e.id)).toEqual(['missing-credential']);
    expect(report.exchanges[0].findings.every((f) => f.outcome === 'pass' || f.outcome === 'skip')).toBe(true);
    expect(report.notes).toContain('interrupted: probe invalid-credential and those after it did not run');
    expect(readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain('name="missing-credential &gt; probe-status"');
    expect(`${stdout}${stderr}`).not.toContain(TOKEN);
  });

  test('SIGTERM with two vendors: exit 143, the vendor that never started is named and absent', async () => {
    server = await slowAfterFirst();
    const { code, stderr, dir } = await interruptVerify(server, 'SIGTERM', ['opescare', 'medblocks']);
    expect(code).toBe(143);
    const report = await expectWellFormedReports(dir);
    // Jest picks the order: whichever vendor ran first has its one finished probe; the other did not run.
    const other = report.vendor === 'opescare' ? 'medblocks' : 'opescare';
    expect(['opescare', 'medblocks']).toContain(report.vendor);
    expect(report.exchanges).toHaveLength(1);
    expect(stderr).toContain(`errspec: interrupted by SIGTERM: the reports hold what finished; not run: ${other}`);
  });

  test('a second signal exits 130 at once; any report on disk is whole', async () => {
    server = await slowAfterFirst();
    const { code, dir } = await interruptVerify(server, 'SIGINT', ['opescare'], 2);
    expect(code).toBe(130);
    const files = readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    if (files.includes('report.json')) expect(() => JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8'))).not.toThrow();
    if (files.includes('junit.xml')) expect((await validateJunit(readFileSync(path.join(dir, 'junit.xml')))).errors).toEqual([]);
  });

  test('a signal during the first probe leaves well-formed reports with no exchange and the note', async () => {
    // Every request is held: nothing finishes before the signal.
    let arrived: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const holding = await httpFault(() => arrived());
    server = Object.assign(holding, { secondArrived: firstArrived });
    const { code, dir } = await interruptVerify(server, 'SIGINT', ['opescare']);
    expect(code).toBe(130);
    expect(existsSync(path.join(dir, 'report.json'))).toBe(true);
    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect((await validateJunit(junit)).errors).toEqual([]);
    expect(junit).toContain('tests="0"');
    const report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as JsonReport;
    expect(report.exchanges).toEqual([]);
    expect(report.notes).toContain('interrupted: probe missing-credential and those after it did not run');
  });
});
