import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { generateHar, type GeneratedHar, type HarOptions } from './har';
import { spread, timeCommand, timeErrspec, type Spread, type Timed } from './util';

/** One HAR shape the issue measured. */
export interface Shape {
  name: string;
  options: Omit<HarOptions, 'vendors' | 'entries'>;
}

export const SHAPES: Shape[] = [
  { name: '1 KB entries', options: { indent: 0 } },
  { name: '3 KB browser entries', options: { indent: 0, browser: true } },
  { name: '10% 50 KB bodies', options: { indent: 0, bigBodies: { every: 10, bytes: 50_000 } } },
];

export interface ShapeFigures {
  shape: string;
  har: GeneratedHar;
  /** Per pair: errspec CPU / floor CPU. */
  plain: Spread;
  reports: Spread;
  /** Peak RSS of `check --json --junit` / HAR bytes. */
  rssRatio: Spread;
  /** Median CPU seconds of each side. */
  floorCpu: number;
  plainCpu: number;
  reportsCpu: number;
  /** JSON report bytes / HAR bytes (the last run's report). */
  jsonRatio: number;
}

const FLOOR = path.join(__dirname, 'floor.js');
/**
 * The vendor checked, and the only one in the generated captures: a capture is taken of one vendor's API.
 * (Until 2026-12-02 the captures interleaved all five vendors' entries, so four in five were another
 * vendor's answers failing most checks: a report 3.7x the HAR instead of 2.5x.)
 */
const VENDOR = 'opescare';

const cpu = (t: Timed): number => {
  if (t.cpuMs === undefined) throw new Error('no CPU figure from the child');
  return t.cpuMs;
};

async function floor(har: string): Promise<Timed> {
  const t = await timeCommand(process.execPath, [FLOOR, har, VENDOR], { rss: true });
  if (t.code !== 0) throw new Error(`floor exited ${t.code}: ${t.stderr.trim()}`);
  return t;
}

async function check(har: string, reports: string[]): Promise<Timed> {
  // Without GITHUB_STEP_SUMMARY: that Markdown summary takes the whole run into memory. Progress lines go to stdout, discarded.
  const t = await timeErrspec(['check', har, '--vendor', VENDOR, ...reports], { rss: true, env: { GITHUB_STEP_SUMMARY: '' } });
  // Exit 1: the capture has violations, as generated.
  if (t.code !== 1) throw new Error(`errspec check exited ${t.code}: ${t.stderr.trim()}`);
  return t;
}

/**
 * `errspec check` (plain, and writing --json and --junit) against the floor on one HAR shape: a warm-up
 * round, then `pairs` rounds of floor, plain, reports (interleaved, so load moves all three alike). CPU
 * (user + system, all threads, process.resourceUsage at exit) is compared: on a shared machine it moves
 * less than wall time.
 */
export async function benchShape(dir: string, shape: Shape, entries: number, pairs: number, log: (line: string) => void): Promise<ShapeFigures> {
  const har = generateHar(path.join(dir, 'shape.har'), { vendors: [VENDOR], entries, ...shape.options });
  const json = path.join(dir, 'report.json');
  const reports = ['--json', json, '--junit', path.join(dir, 'junit.xml')];
  log(`check, ${shape.name}: ${(har.bytes / 1048576).toFixed(0)} MiB HAR of ${entries.toLocaleString('en-US')} entries; warm-up + ${pairs} rounds of floor / check / check --json --junit`);
  const plainRatios: number[] = [];
  const reportRatios: number[] = [];
  const rss: number[] = [];
  const cpus = { floor: [] as number[], plain: [] as number[], reports: [] as number[] };
  try {
    for (let round = 0; round <= pairs; round++) {
      const f = await floor(har.file);
      const p = await check(har.file, []);
      const r = await check(har.file, reports);
      if (round === 0) continue;
      cpus.floor.push(cpu(f));
      cpus.plain.push(cpu(p));
      cpus.reports.push(cpu(r));
      plainRatios.push(cpu(p) / cpu(f));
      reportRatios.push(cpu(r) / cpu(f));
      rss.push((r.maxRss ?? Number.NaN) / har.bytes);
    }
    const jsonRatio = statSync(json).size / har.bytes;
    const med = (v: number[]): number => spread(v).median / 1000;
    return { shape: shape.name, har, plain: spread(plainRatios), reports: spread(reportRatios), rssRatio: spread(rss), floorCpu: med(cpus.floor), plainCpu: med(cpus.plain), reportsCpu: med(cpus.reports), jsonRatio };
  } finally {
    rmSync(har.file, { force: true });
  }
}

export interface FlatFigures {
  small: number;
  large: number;
  /** Peak RSS at `large` entries / at `small`, per pair. */
  ratio: Spread;
  smallRss: number;
  largeRss: number;
}

/** Peak RSS of `check --json --junit` at `small` and 3x as many 1 KB entries, interleaved. */
export async function benchFlat(dir: string, small: number, pairs: number, log: (line: string) => void): Promise<FlatFigures> {
  const large = small * 3;
  log(`check memory: --json --junit at ${small.toLocaleString('en-US')} and ${large.toLocaleString('en-US')} entries, ${pairs} pairs`);
  const a = generateHar(path.join(dir, 'small.har'), { vendors: [VENDOR], entries: small });
  const b = generateHar(path.join(dir, 'large.har'), { vendors: [VENDOR], entries: large });
  const reports = ['--json', path.join(dir, 'flat.json'), '--junit', path.join(dir, 'flat.xml')];
  const ratios: number[] = [];
  const rssA: number[] = [];
  const rssB: number[] = [];
  try {
    for (let i = 0; i < pairs; i++) {
      const ra = (await check(a.file, reports)).maxRss ?? Number.NaN;
      const rb = (await check(b.file, reports)).maxRss ?? Number.NaN;
      rssA.push(ra);
      rssB.push(rb);
      ratios.push(rb / ra);
    }
  } finally {
    rmSync(a.file, { force: true });
    rmSync(b.file, { force: true });
  }
  return { small, large, ratio: spread(ratios), smallRss: spread(rssA).median, largeRss: spread(rssB).median };
}
