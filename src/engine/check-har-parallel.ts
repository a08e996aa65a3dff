import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { HarInvalidError } from '../errors';
import { HarCapture, harRawBatches, parseRawBatch, type HarReadOptions, type RawBatch } from '../har/read';
import { loadProfile } from '../profile/load';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Summary } from '../types';
import { Redactor } from '../util/redact';
import { checkEntry, count, harRunHead, type HarRunHead } from './check-har';
import { entryInShard, type Shard } from './shard';
import { emptySummary } from './summary';

/** A module exporting `createRenderer(options)`: what each exchange becomes, built where it is checked. */
export interface RendererSpec {
  /** Absolute path of the module. */
  module: string;
  /** JSON-serialisable options of createRenderer. */
  options: unknown;
}

export interface RenderedCheckOptions {
  strict?: boolean;
  read?: HarReadOptions;
  /** Worker threads that parse and check (0: all on this thread). Default: harWorkers(file). */
  workers?: number;
  /** Header and parameter names whose values are secrets, beyond the built-in patterns (`--secret-header`, `--secret-param`). */
  secretNames?: { headers: string[]; params: string[] };
  /** `--shard I/N`: only every N-th entry, from entry I-1 (src/engine/shard.ts). */
  shard?: Shard;
}

type Render<R> = (exchange: EvaluatedExchange) => R;

/** What a batch became: its exchanges rendered, in order, and their totals. */
export interface BatchResult<R> {
  rendered: R[];
  summary: Summary;
  failed: boolean;
  /** The codes the batch's answers carried (for the run's coverage). */
  codes: string[];
}

/** Worker protocol: a raw batch in, its result (or the error it hit) out. */
export type WorkerReply<R> = { id: number } & ({ result: BatchResult<R> } | { error: { message: string; har: boolean } });

export interface WorkerSetup {
  profile: string;
  strict?: boolean;
  file: string;
  renderer: RendererSpec;
  secretNames?: { headers: string[]; params: string[] };
  shard?: Shard;
}

const WORKER_SCRIPT = path.join(__dirname, 'check-har-worker.js');
/** Below this a capture is checked faster on one thread than by starting workers. */
const WORKERS_FROM_BYTES = 16 << 20;


/**
 * Worker threads for a capture, besides this thread, which checks batches too: none for small files,
 * on fewer than 4 CPUs, or when the compiled worker is not there (running from TypeScript sources); else
 * one per other CPU, up to 3. ERRSPEC_CHECK_WORKERS overrides. On 2 CPUs one worker cut the wall time of
 * 100,000 entries by 20-30% but cost 20-40% more CPU and doubled the peak RSS (200 -> 300-360 MB): the
 * scan, the copies between threads and a second heap outweigh what it shares (issue 17).
 */
export function harWorkers(file: string, env: NodeJS.ProcessEnv = process.env): number {
  if (!existsSync(WORKER_SCRIPT)) return 0;
  const forced = env.ERRSPEC_CHECK_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Number(forced);
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    return 0;
  }
  const cpus = os.availableParallelism();
  return cpus < 4 || size < WORKERS_FROM_BYTES ? 0 : Math.min(cpus - 1, 3);
}

/** Parse, check and render one raw batch: the unit of work on any thread. */
export function processBatch<R>(profile: Profile, file: string, capture: HarCapture, strict: boolean | undefined, render: Render<R>, raw: RawBatch, shard?: Shard): BatchResult<R> {
  const entries = parseRawBatch(file, raw);
  const summary = emptySummary();
  let failed = false;
  const rendered: R[] = [];
  const codes = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    // Every entry is parsed and validated (a malformed file fails in every shard alike); only this shard's are checked.
    if (!entryInShard(shard, raw.first + i)) continue;
    const exchange = checkEntry(profile, capture.exchange(entries[i], raw.first + i), strict);
    count(summary, exchange);
    if (!exchange.ok) failed = true;
    if (exchange.observed?.code !== undefined) codes.add(exchange.observed.code);
    rendered.push(render(exchange));
  }
  return { rendered, summary, failed, codes: [...codes] };
}

async function loadRenderer<R>(spec: RendererSpec): Promise<Render<R>> {
  const module = (await import(spec.module)) as { createRenderer: (options: unknown) => Render<R> };
  return module.createRenderer(spec.options);
}

/**
 * `errspec check` with each exchange rendered (to report text) where it is checked, and handed to
 * `onRendered` in file order. Large captures are parsed and checked by worker threads while this
 * thread scans the file and writes: JSON.parse and the checks are most of the work and need no order.
 * Throws HarInvalidError on a malformed file (the first fault in file order).
 */
export async function checkHarRendered<R>(profileRef: string, file: string, options: RenderedCheckOptions, renderer: RendererSpec, onRendered: (rendered: R) => void): Promise<HarRunHead> {
  const started = Date.now();
  const profile = loadProfile(profileRef);
  const summary = emptySummary();
  let failed = false;
  const codes = new Set<string>();
  const take = (result: BatchResult<R>): void => {
    for (const r of result.rendered) onRendered(r);
    for (const code of result.codes) codes.add(code);
    for (const key of Object.keys(summary) as (keyof Summary)[]) summary[key] += result.summary[key];
    if (result.failed) failed = true;
  };
  const workers = options.workers ?? harWorkers(file);
  const render = await loadRenderer<R>(renderer);
  const capture = new HarCapture(new Redactor([], options.secretNames?.headers, options.secretNames?.params));
  const here = (raw: RawBatch): BatchResult<R> => processBatch(profile, file, capture, options.strict, render, raw, options.shard);
  // By file: a worker thread has not seen the --profile registrations of this one.
  if (workers > 0) await withWorkers<R>(workers, { profile: profile.file, strict: options.strict, file, renderer, secretNames: options.secretNames, shard: options.shard }, options.read, here, take);
  else {
    for (const raw of harRawBatches(file, options.read)) {
      take(here(raw));
      // Let signals in between batches (SIGINT removes the reports' temporary files).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  return harRunHead(profile, file, started, Boolean(options.strict), summary, failed, codes);
}

/**
 * Scan here and hand batches to `count` workers, two each at most; when they are all busy, and while
 * they start, check the batch here. Results are taken in file order.
 */
async function withWorkers<R>(count: number, setup: WorkerSetup, read: HarReadOptions | undefined, here: (raw: RawBatch) => BatchResult<R>, take: (result: BatchResult<R>) => void): Promise<void> {
  const pool = Array.from({ length: count }, () => new Worker(WORKER_SCRIPT, { workerData: setup }));
  const busy = new Array<number>(count).fill(0);
  /** Results by batch id: done, or a worker's answer to come. */
  const results = new Map<number, { reply?: WorkerReply<R>; worker?: number }>();
  let crashed: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  const crash = (error: Error): void => {
    crashed ??= error;
    wake?.();
  };
  pool.forEach((worker, w) => {
    worker.on('message', (reply: WorkerReply<R>) => {
      busy[w]--;
      results.get(reply.id)!.reply = reply;
      wake?.();
    });
    worker.on('error', crash);
    worker.on('exit', (code) => {
      if (!done) crash(new Error(`a check worker stopped (exit code ${code})`));
    });
  });
  let sent = 0;
  let taken = 0;
  /** Take every result that is ready, in order; with `wait`, first wait for the next one. */
  const takeReady = async (wait: boolean): Promise<void> => {
    for (;;) {
      if (crashed) throw crashed;
      const next = results.get(taken);
      if (next?.reply) {
        results.delete(taken++);
        if ('error' in next.reply) throw next.reply.error.har ? new HarInvalidError(next.reply.error.message) : new Error(next.reply.error.message);
        take(next.reply.result);
        wait = false;
        continue;
      }
      if (!wait || taken === sent) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };
  // Results held here are bounded: past this many the scan waits for the workers.
  const ahead = 4 * (count + 1);
  try {
    const batches = harRawBatches(setup.file, read);
    let scanError: unknown;
    for (;;) {
      let next: IteratorResult<RawBatch>;
      try {
        next = batches.next();
      } catch (error) {
        scanError = error;
        break;
      }
      if (next.done) break;
      const raw = next.value;
      const id = sent++;
      const w = busy.indexOf(Math.min(...busy));
      if (busy[w] < 2) {
        busy[w]++;
        results.set(id, { worker: w });
        // The scanner's buffer is reused: the worker gets its own copy of the batch, moved, not cloned.
        const bytes = new Uint8Array(raw.bytes);
        pool[w].postMessage({ id, batch: { ...raw, bytes } }, [bytes.buffer]);
      } else {
        let reply: WorkerReply<R>;
        try {
          reply = { id, result: here(raw) };
        } catch (error) {
          if (!(error instanceof HarInvalidError)) throw error;
          reply = { id, error: { message: error.message, har: true } };
        }
        results.set(id, { reply });
      }
      // Let the workers' answers in (they arrive as events), then take what is ready, in order.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await takeReady(sent - taken >= ahead);
    }
    // A fault found earlier in the file comes first: the batches before the scanner's fault are taken (and may throw) first.
    while (taken < sent) await takeReady(true);
    if (scanError) throw scanError;
  } finally {
    done = true;
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
