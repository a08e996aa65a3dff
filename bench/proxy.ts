import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';

/**
 * The proxy case of `npm run bench` (issue 17, issue 14 item 7), self-contained: it starts its own upstream
 * (a bare node server returning fixed bytes), `errspec proxy` and a bare undici proxy in front of it, each
 * in its own process, and drives them with a closed-loop undici load from this process.
 *
 * - `proxyPair()`: one run of each proxy on the same load; `startProxyBench()` keeps them up for the
 *   runner to interleave (A B A B ...); `proxyPairs()` does a warm-up and N interleaved pairs itself.
 * - `proxySoak()`: RSS of `errspec proxy` after 5,000 and after 50,000 error exchanges, every report on,
 *   and whether the reports came out complete.
 *
 * `node dist/bench/proxy.js [pairs|soak] [--pairs N] [--seconds S] [--errors SHARE]` runs it alone.
 * RSS and CPU are read from /proc (Linux).
 */

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'errspec.js');
const UNDICI = require.resolve('undici');

/** A documented OpesCare 404 (every check passes), a 404 whose status field disagrees (a failure), a 200. */
const UPSTREAM = `
const http = require('node:http');
const bytes = (status, body) => ({ status, body: Buffer.from(JSON.stringify(body)) });
const ok = bytes(200, { id: 'OPC-2024-00001', name: 'Example Patient', facility: 'FAC-00001' });
const documented = bytes(404, { error: 'patient_not_found', message: 'No patient matches the health id.', status: 404 });
const broken = bytes(404, { error: 'patient_not_found', message: 'No patient matches the health id.', status: 400 });
http.createServer((req, res) => {
  const url = req.url || '/';
  const answer = url.includes('f=1') ? broken : url.includes('e=1') ? documented : ok;
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': answer.body.length });
  res.end(answer.body);
}).listen(0, '127.0.0.1', function () { process.stdout.write('listening on http://127.0.0.1:' + this.address().port + '\\n'); });
`;

/** The floor: what a proxy written with undici's own streaming API does, and nothing else. */
const BARE_PROXY = `
const http = require('node:http');
const { Agent } = require(${JSON.stringify(UNDICI)});
const { origin } = new URL(process.argv[1]);
const agent = new Agent();
const HOP = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);
http.createServer((req, res) => {
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP.has(name)) headers[name] = value;
  agent.stream(
    { origin, path: req.url, method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req },
    ({ statusCode, headers: answer }) => {
      for (const name of HOP) delete answer[name];
      res.writeHead(statusCode, answer);
      return res;
    },
    (error) => {
      if (!error) return;
      if (!res.headersSent) { res.writeHead(502); res.end(); } else res.destroy();
    },
  );
}).listen(0, '127.0.0.1', function () { process.stdout.write('listening on http://127.0.0.1:' + this.address().port + '\\n'); });
`;

interface Served {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** A child that prints `listening on URL`; its output after that is read and dropped (as a terminal would take it). */
function serve(args: string[], label: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    // errspec as `npx errspec` runs it: the bin file itself, so its shebang's node flags apply.
    const [command, argv] = args[0] === BIN ? [BIN, args.slice(1)] : [process.execPath, args];
    const child = spawn(command, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    let err = '';
    let listening = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 10_000) err += d.toString();
    });
    child.on('error', reject);
    void exited.then((code) => {
      if (!listening) reject(new Error(`${label} exited (${code}) before listening: ${err.trim()}`));
    });
    child.stdout!.on('data', (d: Buffer) => {
      if (listening) return;
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      listening = true;
      out = '';
      resolve({
        url: match[1],
        pid: child.pid!,
        child,
        stop: (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** User + system CPU of a process so far, in ms (from /proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size now and at its peak, in bytes (/proc/PID/status VmRSS, VmHWM). */
function rss(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

/** What one load run against one proxy gave. */
export interface LoadRun {
  requests: number;
  /** Answers that were not the status asked for, or broke off. */
  failures: number;
  seconds: number;
  perSecond: number;
  /** CPU of the proxy's process per request, in microseconds. */
  cpuPerRequestUs: number;
}

export interface LoadOptions {
  /** Share of requests answered with an error (checked by errspec); the rest are 200s it only forwards. Default 1. */
  errorShare?: number;
  /** Of the errors, the share that breaks the contract (a failure in every report). Default 0.1. */
  failShare?: number;
  /** Concurrent connections. Default 32. */
  connections?: number;
}

const pathFor = (n: number, errorShare: number, failShare: number): string => {
  const error = errorShare >= 1 || (n * 0.6180339887) % 1 < errorShare;
  const fail = error && (n * 0.7548776662) % 1 < failShare;
  return `/api/v1/connect/patient/search?health_id=OPC-2024-${n % 100_000}${error ? '&e=1' : ''}${fail ? '&f=1' : ''}`;
};

/** A closed loop for `seconds` (or until `count` requests, when given): each connection sends its next request when the last answer is read whole. */
async function drive(url: string, pid: number, options: LoadOptions & { seconds?: number; count?: number; from?: number }): Promise<LoadRun> {
  const connections = options.connections ?? 32;
  const errorShare = options.errorShare ?? 1;
  const failShare = options.failShare ?? 0.1;
  const pool = new Pool(url, { connections, pipelining: 1 });
  const until = options.seconds !== undefined ? performance.now() + options.seconds * 1000 : Infinity;
  const last = options.count !== undefined ? (options.from ?? 0) + options.count : Infinity;
  let next = options.from ?? 0;
  let requests = 0;
  let failures = 0;
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: connections }, async () => {
      while (next < last && performance.now() < until) {
        const n = next++;
        try {
          const res = await pool.request({ method: 'GET', path: pathFor(n, errorShare, failShare), headers: { authorization: `Bearer bench-token-${n % 16}-value` } });
          await res.body.dump();
          if ((res.statusCode === 404) !== pathFor(n, errorShare, failShare).includes('e=1')) failures++;
        } catch {
          failures++;
        }
        requests++;
      }
    }));
  } finally {
    await pool.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(pid) - cpuBefore;
  return { requests, failures, seconds, perSecond: requests / seconds, cpuPerRequestUs: (cpu * 1000) / Math.max(requests, 1) };
}

/** The three processes of the throughput comparison, up until stop(). */
export interface ProxyBench {
  /** One load run through errspec proxy, then one through the bare undici proxy (or the other way round). */
  pair(options?: { seconds?: number; bareFirst?: boolean }): Promise<{ errspec: LoadRun; bare: LoadRun }>;
  stop(): Promise<void>;
}

export async function startProxyBench(options: LoadOptions & { dir?: string } = {}): Promise<ProxyBench> {
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'errspec-bench-proxy-'));
  const upstream = await serve(['-e', UPSTREAM], 'upstream');
  const started: Served[] = [upstream];
  try {
    const bare = await serve(['-e', BARE_PROXY, upstream.url], 'bare undici proxy');
    started.push(bare);
    // As a user runs it: progress lines on (to a pipe), JSON and JUnit reports streamed.
    const errspec = await serve([BIN, 'proxy', '--vendor', 'opescare', '--target', upstream.url, '--json', path.join(dir, 'proxy.json'), '--junit', path.join(dir, 'proxy.xml')], 'errspec proxy');
    started.push(errspec);
    return {
      async pair(run = {}) {
        const seconds = run.seconds ?? 3;
        const one = (p: Served): Promise<LoadRun> => drive(p.url, p.pid, { ...options, seconds });
        if (run.bareFirst) {
          const b = await one(bare);
          return { bare: b, errspec: await one(errspec) };
        }
        const e = await one(errspec);
        return { errspec: e, bare: await one(bare) };
      },
      async stop() {
        for (const p of started.reverse()) await p.stop('SIGINT');
        if (!options.dir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const p of started) await p.stop();
    throw error;
  }
}

/** One run of each proxy on the same load (processes started and stopped around it). */
export async function proxyPair(options: LoadOptions & { seconds?: number } = {}): Promise<{ errspec: LoadRun; bare: LoadRun }> {
  const bench = await startProxyBench(options);
  try {
    return await bench.pair({ seconds: options.seconds });
  } finally {
    await bench.stop();
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export interface PairsFigures {
  pairs: { errspec: LoadRun; bare: LoadRun }[];
  /** errspec's throughput over the bare proxy's, per pair: median, min, max. */
  ratio: { median: number; min: number; max: number };
  /** The bare proxy's CPU per request over errspec's (higher is better for errspec, 1 = as cheap). */
  cpuRatio: { median: number; min: number; max: number };
  errspecPerSecond: number;
  barePerSecond: number;
}

/** A warm-up pair, then `pairs` interleaved pairs (the order alternates: A B, B A, ...), medians with min-max. */
export async function proxyPairs(options: LoadOptions & { pairs?: number; seconds?: number } = {}): Promise<PairsFigures> {
  const bench = await startProxyBench(options);
  try {
    await bench.pair({ seconds: 2 });
    const pairs: { errspec: LoadRun; bare: LoadRun }[] = [];
    for (let i = 0; i < (options.pairs ?? 5); i++) pairs.push(await bench.pair({ seconds: options.seconds, bareFirst: i % 2 === 1 }));
    const spread = (values: number[]) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });
    return {
      pairs,
      ratio: spread(pairs.map((p) => p.errspec.perSecond / p.bare.perSecond)),
      cpuRatio: spread(pairs.map((p) => p.bare.cpuPerRequestUs / p.errspec.cpuPerRequestUs)),
      errspecPerSecond: median(pairs.map((p) => p.errspec.perSecond)),
      barePerSecond: median(pairs.map((p) => p.bare.perSecond)),
    };
  } finally {
    await bench.stop();
  }
}

export interface SoakFigures {
  small: number;
  large: number;
  rssSmall: number;
  rssLarge: number;
  /** RSS after `large` error exchanges over RSS after `small`: the target is <= 1.2. */
  ratio: number;
  /** RSS along the way. */
  steps: { exchanges: number; rss: number }[];
  /** Peak RSS of the whole run, report writing included. */
  peak: number;
  exitCode: number | null;
  /** Exchanges found in each report at the end (each should be `large`). */
  reported: { json: number; junitFailures: number; htmlRows: number };
  failing: number;
  reportBytes: { json: number; junit: number; html: number };
}

/** Occurrences of `needle` in a file, read 1 MiB at a time. */
function countIn(file: string, needle: string): number {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    let carry = '';
    let found = 0;
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const text = carry + buffer.toString('latin1', 0, read);
      for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found++;
      carry = text.slice(Math.max(0, text.length - needle.length + 1));
    }
    return found;
  } finally {
    closeSync(fd);
  }
}

/** RSS of `errspec proxy` (JSON, JUnit, HTML and Markdown reports on) after `small` and after `large` error exchanges. */
export async function proxySoak(options: { small?: number; large?: number; connections?: number } = {}): Promise<SoakFigures> {
  const small = options.small ?? 5_000;
  const large = options.large ?? 50_000;
  const failShare = 0.1;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-bench-soak-'));
  const file = (name: string) => path.join(dir, name);
  const upstream = await serve(['-e', UPSTREAM], 'upstream');
  try {
    const errspec = await serve([BIN, 'proxy', '--vendor', 'opescare', '--target', upstream.url, '--json', file('r.json'), '--junit', file('r.xml'), '--html', file('r.html'), '--summary', file('r.md')], 'errspec proxy');
    const load = { errorShare: 1, failShare, connections: options.connections ?? 16 };
    await drive(errspec.url, errspec.pid, { ...load, count: small, from: 0 });
    const rssSmall = rss(errspec.pid).now;
    // RSS every tenth of the way from `small` to `large`: flat, or growing with the exchanges?
    const steps: { exchanges: number; rss: number }[] = [{ exchanges: small, rss: rssSmall }];
    const step = Math.max(1, Math.ceil((large - small) / 10));
    for (let from = small; from < large; from += step) {
      const count = Math.min(step, large - from);
      await drive(errspec.url, errspec.pid, { ...load, count, from });
      steps.push({ exchanges: from + count, rss: rss(errspec.pid).now });
    }
    const rssLarge = steps[steps.length - 1].rss;
    // The reports are written on SIGINT: watch the peak until the process is gone.
    let peak = rss(errspec.pid).peak;
    const watch = setInterval(() => {
      try {
        peak = Math.max(peak, rss(errspec.pid).peak);
      } catch {
        // Exited between two looks.
      }
    }, 50);
    const exitCode = await errspec.stop('SIGINT').finally(() => clearInterval(watch));
    const failing = Array.from({ length: large }, (_, n) => pathFor(n, 1, failShare).includes('f=1')).filter(Boolean).length;
    return {
      small,
      large,
      rssSmall,
      rssLarge,
      ratio: rssLarge / rssSmall,
      steps,
      peak,
      exitCode,
      reported: { json: countIn(file('r.json'), '"id":"proxy-'), junitFailures: countIn(file('r.xml'), '<failure '), htmlRows: countIn(file('r.html'), '<tr class="') },
      failing,
      reportBytes: { json: statSync(file('r.json')).size, junit: statSync(file('r.xml')).size, html: statSync(file('r.html')).size },
    };
  } finally {
    await upstream.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  const option = (name: string, fallback: number): number => {
    const at = argv.indexOf(name);
    return at >= 0 ? Number(argv[at + 1]) : fallback;
  };
  const named = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  const wanted = (name: string): boolean => named.length === 0 || named.includes(name);
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const out = process.stdout;
  out.write(`proxy bench on ${os.availableParallelism()} CPUs, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  if (wanted('pairs')) {
    const errorShare = option('--errors', 1);
    const pairs = option('--pairs', 5);
    const seconds = option('--seconds', 3);
    out.write(`throughput: ${pairs} interleaved pairs of ${seconds} s after a warm-up, 32 connections, ${Math.round(errorShare * 100)}% error answers...\n`);
    const f = await proxyPairs({ pairs, seconds, errorShare });
    for (const [i, p] of f.pairs.entries()) {
      out.write(`  pair ${i + 1}: errspec ${Math.round(p.errspec.perSecond)}/s (${p.errspec.cpuPerRequestUs.toFixed(0)} us CPU/req, ${p.errspec.failures} bad), bare undici ${Math.round(p.bare.perSecond)}/s (${p.bare.cpuPerRequestUs.toFixed(0)} us CPU/req, ${p.bare.failures} bad)\n`);
    }
    out.write(`errspec proxy / bare undici proxy throughput: median ${f.ratio.median.toFixed(2)}x (min ${f.ratio.min.toFixed(2)}, max ${f.ratio.max.toFixed(2)}); `
      + `${Math.round(f.errspecPerSecond)} vs ${Math.round(f.barePerSecond)} req/s; CPU per request, bare / errspec: ${f.cpuRatio.median.toFixed(2)}x; target >= 0.70x: ${f.ratio.median >= 0.7 ? 'met' : 'NOT MET'}\n`);
  }
  if (wanted('soak')) {
    out.write('soak: 5,000 then 50,000 error exchanges through errspec proxy, JSON, JUnit, HTML and Markdown reports on...\n');
    const s = await proxySoak({ small: option('--small', 5_000), large: option('--large', 50_000) });
    out.write(`RSS after ${s.small}: ${mb(s.rssSmall)}; after ${s.large}: ${mb(s.rssLarge)}; ratio ${s.ratio.toFixed(2)}x (target <= 1.2x: ${s.ratio <= 1.2 ? 'met' : 'NOT MET'}); peak ${mb(s.peak)} (reports written included); exit ${s.exitCode}\n`);
    out.write(`RSS along the way: ${s.steps.map((p) => `${p.exchanges}: ${mb(p.rss)}`).join(', ')}\n`);
    const complete = s.reported.json === s.large && s.reported.htmlRows === s.large && s.reported.junitFailures === s.failing;
    out.write(`reports: JSON ${s.reported.json} exchanges (${mb(s.reportBytes.json)}), JUnit ${s.reported.junitFailures} failures of ${s.failing} (${mb(s.reportBytes.junit)}), HTML ${s.reported.htmlRows} rows (${mb(s.reportBytes.html)}): ${complete ? 'complete' : 'INCOMPLETE'}\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    process.stderr.write(`bench proxy: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  });
}

/** A row of `npm run bench` (bench/run.ts): what was measured, the figure, the target and whether it is met. */
interface BenchRow {
  measurement: string;
  figure: string;
  target: string;
  met?: boolean;
}

/**
 * The proxy's rows for `npm run bench`: throughput against a bare undici proxy at three shares of error
 * answers (interleaved pairs), and the soak (RSS after 50,000 error exchanges over RSS after 5,000;
 * `--quick`: 2,000 and 20,000, said in the row).
 */
export async function benchProxy(options: { quick: boolean; pairs: number }): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const seconds = options.quick ? 2 : 3;
  for (const errorShare of [0, 0.1, 1]) {
    const f = await proxyPairs({ errorShare, pairs: options.pairs, seconds });
    rows.push({
      measurement: `proxy throughput, ${errorShare === 0 ? 'no' : errorShare === 1 ? 'all' : `${errorShare * 100}%`} error answers (${options.pairs} pairs)`,
      figure: `${f.ratio.median.toFixed(2)}x a bare undici proxy (${f.ratio.min.toFixed(2)}-${f.ratio.max.toFixed(2)}; ${Math.round(f.errspecPerSecond)} vs ${Math.round(f.barePerSecond)} req/s)`,
      target: '>= 0.7x',
      met: f.ratio.median >= 0.7,
    });
  }
  const soak = await proxySoak(options.quick ? { small: 2_000, large: 20_000 } : {});
  const mib = (bytes: number) => `${Math.round(bytes / 1048576)} MiB`;
  rows.push({
    measurement: `proxy soak: RSS after ${soak.large} / after ${soak.small} error exchanges${options.quick ? ' (quick: not the 50k/5k of the target)' : ''}`,
    figure: `${soak.ratio.toFixed(2)}x (${mib(soak.rssSmall)} -> ${mib(soak.rssLarge)}; reports complete: ${soak.reported.json} JSON exchanges)`,
    target: '<= 1.2x',
    met: soak.ratio <= 1.2 && soak.reported.json === soak.large,
  });
  return rows;
}
