import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ReportInvalidError, UsageError } from '../errors';
import { exitCodeOf } from '../engine/summary';
import type { EvaluatedExchange, Finding, RuleRef, VendorRun } from '../types';
import { reportChoice, type Io } from './io';

interface MergeOptions {
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  quiet: boolean;
}

/** A run as the JSON report holds it (SPEC §5). */
interface ReportRun {
  vendor: string;
  target: string;
  source: VendorRun['source'];
  startedAt: string;
  durationMs: number;
  unreachable?: string;
  notes?: string[];
  exchanges: (Omit<EvaluatedExchange, 'findings' | 'response'> & { repro?: string; response: { status: number; headers: Record<string, string> } | null; findings: (Omit<Finding, 'rule'> & { rule?: string })[] })[];
  rules?: Record<string, Omit<RuleRef, 'id'>>;
}

export function registerMergeCommand(program: Command, io: Io): void {
  program
    .command('merge')
    .description('combine the JSON reports of the shards of one run (`--shard I/N` of verify or check) into one run\'s reports')
    .argument('<reports...>', 'JSON reports written by `errspec verify|check --shard I/N --json FILE`')
    .option('--json <file>', 'write the merged JSON report to FILE (- for stdout)')
    .option('--junit <file>', 'write the merged JUnit XML report to FILE')
    .option('--html <file>', 'write the merged HTML report to FILE (response bodies are not in JSON reports: the page shows none)')
    .option('--summary <file>', 'write the merged Markdown summary to FILE')
    .option('--quiet', 'print only the summary', false)
    .action(async (files: string[], options: MergeOptions) => {
      if (!options.json && !options.junit && !options.html && !options.summary) throw new UsageError('merge needs at least one of --json, --junit, --html, --summary');
      // The writers load only when there is something to write.
      const { assertWritable, writeReports } = await import('../../reporters/write');
      const { summaryTable } = await import('../../reporters/console');
      const targets = { json: options.json, junit: options.junit, html: options.html, summary: options.summary };
      assertWritable(reportChoice(targets).targets);
      const runs = mergeRuns(files.flatMap(readRuns));
      const written = writeReports(runs, targets, io.stdout);
      const out = options.json === '-' ? io.stderr : io.stdout;
      out.write(`${summaryTable(runs, { color: false })}\n`);
      if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
      io.exitCode = exitCodeOf(runs);
    });
}

/** The runs of one JSON report (one run, or `{tool, runs}` of several vendors). */
export function readRuns(file: string): ReportRun[] {
  let report: unknown;
  try {
    report = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ReportInvalidError(`${file}: not an errspec JSON report (${(error as Error).message})`);
  }
  const runs = (report as { runs?: unknown }).runs ?? [report];
  if (!Array.isArray(runs) || runs.some((r) => !r || typeof r !== 'object' || typeof (r as ReportRun).vendor !== 'string' || !Array.isArray((r as ReportRun).exchanges))) {
    throw new ReportInvalidError(`${file}: not an errspec JSON report (no vendor and exchanges)`);
  }
  return runs as ReportRun[];
}

/**
 * One run per vendor from the shards' runs: exchanges of all shards (HAR entries in entry order), the
 * totals recounted by the engine from them (the writers render runSummary), the earliest start, the
 * longest shard's duration (shards run side by side), rules described once.
 */
export function mergeRuns(shards: ReportRun[]): VendorRun[] {
  const byVendor = new Map<string, ReportRun[]>();
  for (const run of shards) byVendor.set(run.vendor, [...(byVendor.get(run.vendor) ?? []), run]);
  const merged: VendorRun[] = [];
  for (const [vendor, runs] of byVendor) {
    const kinds = new Set(runs.map((r) => r.source));
    if (kinds.size > 1) throw new ReportInvalidError(`merge: the reports of ${vendor} are not shards of one run (sources ${[...kinds].join(', ')})`);
    // Shards against the embedded mock each start their own on another port: the run names every target.
    const targets = [...new Set(runs.map((r) => r.target))];
    const rules: Record<string, Omit<RuleRef, 'id'>> = Object.assign({}, ...runs.map((r) => r.rules ?? {}));
    const exchanges: EvaluatedExchange[] = runs.flatMap((r) =>
      r.exchanges.map(({ repro, ...e }) => ({
        ...e,
        response: e.response ? { ...e.response, body: '' } : undefined,
        // A failing or erroring finding without its own reproduction has the exchange's (reporters/json.ts).
        findings: e.findings.map(({ rule, ...f }) => ({
          ...f,
          ...(f.repro === undefined && repro && (f.outcome === 'fail' || f.outcome === 'error') ? { repro } : {}),
          ...(rule !== undefined ? { rule: { id: rule, ...(rules[rule] ?? { source: '', text: '' }) } } : {}),
        })),
      })),
    );
    const entries = exchanges.filter((e) => e.entry !== null);
    if (new Set(entries.map((e) => e.entry)).size !== entries.length) throw new ReportInvalidError(`merge: ${vendor}: a HAR entry appears in two reports (the same shard twice?)`);
    exchanges.sort((a, b) => (a.entry ?? -1) - (b.entry ?? -1));
    const unreachable = runs.find((r) => r.unreachable)?.unreachable;
    const notes = [...new Set(runs.flatMap((r) => r.notes ?? []))];
    merged.push({
      vendor,
      title: vendor,
      target: targets.join(', '),
      source: runs[0].source,
      startedAt: runs.map((r) => r.startedAt).sort()[0],
      durationMs: Math.max(...runs.map((r) => r.durationMs)),
      strict: false,
      exchanges,
      ...(unreachable ? { unreachable } : {}),
      ...(notes.length > 0 ? { notes } : {}),
    });
  }
  return merged.sort((a, b) => (a.vendor < b.vendor ? -1 : a.vendor > b.vendor ? 1 : 0));
}
