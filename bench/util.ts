import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root (bench/ compiles to dist/bench/). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'errspec.js');
/** Preloaded into a measured child: writes its peak RSS on exit (portable; no GNU time needed). */
export const RSS_HOOK = path.join(__dirname, 'rss-hook.js');

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size of the child in bytes, when measured. */
  maxRss?: number;
  /** CPU time of the child (user + system, all threads) in ms, when measured. */
  cpuMs?: number;
}

export interface TimeOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Measure the child's peak RSS (node children only: preloads the RSS hook). */
  rss?: boolean;
  /** Keep stdout (default: discarded, as a CI log would take it). */
  keepStdout?: boolean;
}

/** Run a command to completion and time it from spawn to exit, as a user would. */
export function timeCommand(command: string, args: string[], options: TimeOptions = {}): Promise<Timed> {
  const rssFile = options.rss ? path.join(os.tmpdir(), `errspec-bench-rss-${process.pid}-${Date.now()}.json`) : undefined;
  // A node child takes the hook as a flag; a script run by its shebang (the errspec bin), through NODE_OPTIONS.
  const viaNode = command === process.execPath;
  const argv = rssFile && viaNode ? ['--require', RSS_HOOK, ...args] : args;
  const preload = rssFile && !viaNode ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(RSS_HOOK)}`.trim() } : {};
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...options.env, ...preload, ...(rssFile ? { ERRSPEC_BENCH_RSS_FILE: rssFile } : {}) },
      stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      let maxRss: number | undefined;
      let cpuMs: number | undefined;
      if (rssFile) {
        try {
          const usage = JSON.parse(readFileSync(rssFile, 'utf8')) as { maxRSS: number; cpuMicros: number };
          maxRss = usage.maxRSS * 1024;
          cpuMs = usage.cpuMicros / 1000;
        } catch {
          maxRss = undefined;
        }
        rmSync(rssFile, { force: true });
      }
      resolve({ ms, code, stdout, stderr, maxRss, cpuMs });
    });
  });
}

/** Run the errspec CLI as `npx errspec` does: the bin file itself, so the node flags of its shebang apply. */
export function timeErrspec(args: string[], options: TimeOptions = {}): Promise<Timed> {
  return timeCommand(BIN, args, options);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A long-running errspec child (`errspec mock`), ready once it printed its address. */
export interface Served {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function serveMock(vendor: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, 'mock', '--vendor', vendor, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`errspec mock --vendor ${vendor} exited (${code}): ${err.trim()}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      child.removeAllListeners('exit');
      const url = match[1];
      resolve({
        url,
        port: Number(new URL(url).port),
        stop: () => new Promise<void>((done) => {
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
      });
    });
  });
}

/** The machine a figure comes from. */
export function machine(): { cpus: number; model: string; node: string; load: string } {
  let model = os.cpus()[0]?.model ?? 'unknown';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) model = line.split(':')[1].trim();
  } catch {
    // Not Linux: os.cpus() named it.
  }
  return { cpus: os.availableParallelism(), model, node: process.version, load: os.loadavg().map((l) => l.toFixed(2)).join(' ') };
}

export const fmt = {
  ms: (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`),
  ratio: (r: number): string => `${r.toFixed(2)}x`,
  mb: (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`,
  rate: (perSecond: number): string => `${Math.round(perSecond).toLocaleString('en-US')}/s`,
};

/** The median of some measurements with their range, as the bench prints ratios. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

export const fmtSpread = (s: Spread, unit = 'x'): string => `${s.median.toFixed(2)}${unit} (${s.min.toFixed(2)}-${s.max.toFixed(2)}, ${s.n} pairs)`;
