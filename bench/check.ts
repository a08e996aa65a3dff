import path from 'node:path';
import { generateHar, type GeneratedHar } from './har';
import { timeErrspec } from './util';

export interface CheckRow {
  vendor: string;
  /** Extra arguments, e.g. the streamed reports. */
  reports: string;
  ms: number;
  entriesPerSecond: number;
  maxRss: number;
  /** Peak RSS / HAR file size. */
  memoryRatio: number;
}

export interface CheckFigures {
  har: GeneratedHar;
  generateMs: number;
  rows: CheckRow[];
  /** The slowest plain run's rate (the reports run is shown beside it) and the highest memory ratio of all runs. */
  worstRate: number;
  worstMemory: number;
}

/**
 * `errspec check` on a HAR of `entries` error entries across the vendors (generated into `dir`):
 * once per vendor profile (the other vendors' entries break that contract, as a capture of several
 * APIs would), and once more writing the streamed JSON and JUnit reports. Each run is a new process
 * whose peak RSS is read from process.resourceUsage() at exit.
 */
export async function benchCheck(dir: string, vendors: string[], entries = 100_000): Promise<CheckFigures> {
  const started = performance.now();
  const har = generateHar(path.join(dir, 'bench.har'), { vendors, entries });
  const generateMs = performance.now() - started;
  const runs: { vendor: string; reports: string[] }[] = vendors.map((vendor) => ({ vendor, reports: [] }));
  runs.push({ vendor: vendors[vendors.length - 1], reports: ['--json', path.join(dir, 'report.json'), '--junit', path.join(dir, 'junit.xml')] });
  const rows: CheckRow[] = [];
  for (const { vendor, reports } of runs) {
    // Without GITHUB_STEP_SUMMARY: that Markdown summary takes the whole run into memory.
    const run = await timeErrspec(['check', har.file, '--vendor', vendor, ...reports], { rss: true, env: { GITHUB_STEP_SUMMARY: '' } });
    // Exit 1: the capture has violations, as generated.
    if (run.code !== 1) throw new Error(`errspec check --vendor ${vendor} exited ${run.code}: ${run.stderr.trim()}`);
    const maxRss = run.maxRss ?? Number.NaN;
    rows.push({
      vendor,
      reports: reports.length > 0 ? '--json --junit' : '',
      ms: run.ms,
      entriesPerSecond: har.entries / (run.ms / 1000),
      maxRss,
      memoryRatio: maxRss / har.bytes,
    });
  }
  return {
    har,
    generateMs,
    rows,
    worstRate: Math.min(...rows.filter((r) => r.reports === '').map((r) => r.entriesPerSecond)),
    worstMemory: Math.max(...rows.map((r) => r.memoryRatio)),
  };
}
