import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { vendorIds } from '../src/profile/load';
import { benchCheck, type CheckFigures } from './check';
import { benchEngine, type EngineFigures } from './engine';
import { benchPact, type PactFigures } from './pact';
import { fmt, machine } from './util';
import { benchVerify, type VerifyFigures } from './verify';

/**
 * `npm run bench`: the SPEC §8 performance targets, measured in one run on this machine.
 * `node dist/bench/run.js [verify] [engine] [check] [pact]` runs only those; `--entries N` sizes the HAR;
 * `--strict` exits 1 when a target is not met (otherwise the verdicts are only printed).
 */
const TARGETS = { verifyAllMs: 3000, engineRatio: 1.3, checkRate: 50_000, checkMemory: 2 };

type Row = [measurement: string, figure: string, target: string, verdict: string];

const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT MET');

async function main(argv: string[]): Promise<number> {
  const entriesAt = argv.indexOf('--entries');
  const entries = entriesAt >= 0 ? Number(argv[entriesAt + 1]) : 100_000;
  const named = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--entries');
  const wanted = (name: string): boolean => named.length === 0 || named.includes(name);
  const vendors = vendorIds();
  const before = machine();
  const out = process.stdout;
  out.write(`errspec bench on ${before.cpus} CPUs (${before.model}), node ${before.node}; load average ${before.load} at start\n`);

  const rows: Row[] = [];
  const figures: string[] = [];
  let allMet = true;
  const record = (row: Row, ok?: boolean): void => {
    rows.push(row);
    if (ok === false) allMet = false;
  };

  if (wanted('verify')) {
    out.write('verify: 1 warm-up + 5 cold runs of each command...\n');
    const v: VerifyFigures = await benchVerify(5);
    const ok = v.all < TARGETS.verifyAllMs;
    record(['verify --all, cold, median of 5', `${fmt.ms(v.all)}  (runs: ${v.runsAll.map((m) => (m / 1000).toFixed(2)).join(' ')})`, '< 3 s', verdict(ok)], ok);
    record(['verify --vendor opescare, cold, median of 5', `${fmt.ms(v.opescare)}  (runs: ${v.runsOpescare.map((m) => (m / 1000).toFixed(2)).join(' ')})`, '-', '']);
    figures.push(`verify_all=${(v.all / 1000).toFixed(2)}s`, `verify_opescare=${(v.opescare / 1000).toFixed(2)}s`);
  }

  if (wanted('engine')) {
    out.write('engine: errspec runProbes vs bare undici + ajv against the reference mocks...\n');
    const e: EngineFigures = await benchEngine(vendors);
    const ok = e.ratio <= TARGETS.engineRatio;
    record([`probe engine vs bare undici+ajv, ${e.requests} requests each`, `${fmt.ratio(e.ratio)}  (${fmt.ms(e.engineMs)} vs ${fmt.ms(e.bareMs)})`, '<= 1.3x', verdict(ok)], ok);
    figures.push(`engine_ratio=${e.ratio.toFixed(2)}`);
  }

  if (wanted('check')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-bench-'));
    try {
      out.write(`check: generating a HAR of ${entries.toLocaleString('en-US')} error entries...\n`);
      const c: CheckFigures = await benchCheck(dir, vendors, entries);
      out.write(`check: ${fmt.mb(c.har.bytes)} HAR (${c.har.conformant.toLocaleString('en-US')} entries as documented, the rest broken), generated in ${fmt.ms(c.generateMs)}\n`);
      for (const r of c.rows) {
        const rateOk = r.reports !== '' || r.entriesPerSecond >= TARGETS.checkRate;
        const memoryOk = r.memoryRatio < TARGETS.checkMemory;
        const label = `check --vendor ${r.vendor}${r.reports ? ` ${r.reports}` : ''}`;
        record([label, `${fmt.rate(r.entriesPerSecond)} in ${fmt.ms(r.ms)}; peak ${fmt.mb(r.maxRss)} = ${fmt.ratio(r.memoryRatio)} HAR`, r.reports ? '< 2x HAR' : '>= 50,000/s, < 2x HAR', verdict(rateOk && memoryOk)], rateOk && memoryOk);
      }
      figures.push(`check_rate=${Math.round(c.worstRate)}/s`, `check_memory=${c.worstMemory.toFixed(2)}x`, `har=${(c.har.bytes / 1024 / 1024).toFixed(0)}MiB`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  if (wanted('pact')) {
    out.write('pact: the Pact Rust verifier vs errspec pact verify on the generated pacts...\n');
    const p: PactFigures = await benchPact();
    if (p.available) {
      record([`errspec pact verify vs pact verifier, ${p.pacts} pacts, ${p.interactions} interactions`, `${fmt.ratio(p.ratio)}  (${fmt.ms(p.errspecMs)} vs ${fmt.ms(p.pactMs)})`, '-', '']);
      figures.push(`pact_ratio=${p.ratio.toFixed(2)}`);
    } else {
      record(['errspec pact verify vs pact verifier', `n/a: ${p.reason}`, '-', '']);
      figures.push(`pact_ratio=n/a`);
    }
  }

  const after = machine();
  const header: Row = ['measurement', 'figure', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: Row): string => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  out.write(`\n${[line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')}\n\n`);
  out.write(`load average ${after.load} at end (other processes share these CPUs: figures move with them)\n`);
  out.write(`${[`cpus=${after.cpus}`, `node=${after.node}`, ...figures].join(' ')}\n`);
  return allMet || !argv.includes('--strict') ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    process.exitCode = 2;
  },
);
