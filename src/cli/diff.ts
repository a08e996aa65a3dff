import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { compareObservations, type KeyDrift } from '../drift/compare';
import { byPattern, observeRun, type Observation, type ObservedExchange } from '../drift/observe';
import { ReportInvalidError } from '../errors';
import { writeFileAtomic } from '../util/write-atomic';
import type { Io } from './io';
import { markdownCell } from '../../reporters/markdown';

interface DiffOptions {
  markdown?: string;
  json?: string;
}

/** A vendor run as a saved JSON report (SPEC §5) holds it: only what drift reads. */
interface ReportedRun {
  vendor: string;
  source: string;
  exchanges: ObservedExchange[];
}

/** One vendor's drift between two reports. */
export interface VendorDiff {
  vendor: string;
  drift: KeyDrift[];
  /** Keys OLD observed and NEW did not. */
  missing: string[];
  notes: string[];
}

/**
 * The runs of a saved report: one vendor's SPEC object, or `{tool, runs: [...]}`. Findings are read for their
 * check and outcome only, so a rule given inline or by id into a top-level `rules` map reads the same.
 */
export function readReport(file: string): ReportedRun[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ReportInvalidError(`${file}: cannot read it as a JSON report (${reason})`, { cause: error });
  }
  const runs = (doc as { runs?: unknown })?.runs ?? [doc];
  if (!Array.isArray(runs)) throw new ReportInvalidError(`${file}: "runs" is not a list`);
  return runs.map((run: unknown, i) => {
    const r = run as Partial<ReportedRun> | null;
    if (!r || typeof r.vendor !== 'string' || !Array.isArray(r.exchanges)) {
      throw new ReportInvalidError(`${file}: ${runs.length > 1 ? `runs[${i}]: ` : ''}not an errspec JSON report (expected vendor and exchanges, SPEC §5)`);
    }
    const exchanges = r.exchanges.map((e) => ({ ...e, findings: Array.isArray(e?.findings) ? e.findings : [] }));
    return { vendor: r.vendor, source: typeof r.source === 'string' ? r.source : 'probe', exchanges };
  });
}

/** Reports written before errspec kept each body's code and fields: their exchanges have no `observed`. */
const hasBodies = (run: ReportedRun): boolean => run.exchanges.some((e) => e.observed !== undefined) || !run.exchanges.some((e) => e.response);

const withoutBodies = (o: Observation): Observation => ({ ...o, codes: [], fields: [] });

/** The drift from OLD's runs to NEW's, per vendor of NEW: the comparison `--baseline` makes, from two saved reports. */
export function diffReports(before: ReportedRun[], after: ReportedRun[]): VendorDiff[] {
  const out: VendorDiff[] = [];
  for (const run of [...after].sort((a, b) => (a.vendor < b.vendor ? -1 : 1))) {
    const old = before.find((r) => r.vendor === run.vendor);
    const notes: string[] = [];
    if (!old) {
      out.push({ vendor: run.vendor, drift: [], missing: [], notes: [`OLD has no ${run.vendor} run: nothing to compare`] });
      continue;
    }
    const bodies = hasBodies(old) && hasBodies(run);
    if (!bodies) notes.push('one report has no observed codes and fields (written by an errspec before drift): compared statuses, headers and outcomes only');
    const observe = (r: ReportedRun) => {
      const map = observeRun(r.exchanges, r.source);
      if (!bodies) for (const entry of map.values()) entry.observation = withoutBodies(entry.observation);
      return map;
    };
    const recorded = Object.fromEntries([...observe(old)].map(([key, { observation }]) => [key, observation]));
    const { drift, missing } = compareObservations(recorded, observe(run), {}, byPattern(run.source));
    out.push({ vendor: run.vendor, drift, missing, notes });
  }
  return out;
}

const drifted = (d: KeyDrift): boolean => d.finding.outcome === 'warn' || d.finding.outcome === 'fail';
const changes = (d: KeyDrift): string => d.finding.message.replace(/^drifted from the baseline(?: \([^)]*\))?: /, '');

/** Rows of the comparison: every drifted key, then keys only one report has. */
function rows(diffs: VendorDiff[]): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const diff of diffs) {
    for (const d of diff.drift) if (drifted(d)) out.push([diff.vendor, d.key, changes(d)]);
    for (const d of diff.drift) if (d.finding.outcome === 'skip') out.push([diff.vendor, d.key, 'only in NEW']);
    for (const key of diff.missing) out.push([diff.vendor, key, 'only in OLD']);
    for (const note of diff.notes) out.push([diff.vendor, '', note]);
  }
  return out;
}

/** The comparison as a plain-text table. */
export function renderDiffTable(diffs: VendorDiff[]): string {
  const header: [string, string, string] = ['vendor', 'probe', 'drift'];
  const body = rows(diffs);
  if (body.length === 0) return 'no drift: every probe observed the same error contract\n';
  const widths = [0, 1].map((i) => Math.max(header[i].length, ...body.map((r) => r[i].length)));
  const line = (r: [string, string, string]) => `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}`.trimEnd();
  return `${[line(header), `${'-'.repeat(widths[0])}  ${'-'.repeat(widths[1])}  -----`, ...body.map(line)].join('\n')}\n`;
}


/** The comparison as Markdown, for a pull-request comment. */
export function renderDiffMarkdown(diffs: VendorDiff[], oldFile: string, newFile: string): string {
  const body = rows(diffs);
  const count = diffs.reduce((n, d) => n + d.drift.filter(drifted).length, 0);
  const title = `### errspec drift: ${markdownCell(oldFile)} → ${markdownCell(newFile)}`;
  if (body.length === 0) return `${title}\n\nNo drift: every probe observed the same error contract.\n`;
  const verdict = count === 0 ? 'No drift in the probes both reports observed.' : `${count} ${count === 1 ? 'probe' : 'probes'} drifted.`;
  const table = ['| vendor | probe | drift |', '|---|---|---|', ...body.map((r) => `| ${r.map((c) => markdownCell(c)).join(' | ')} |`)];
  return `${title}\n\n${verdict}\n\n${table.join('\n')}\n`;
}

/** The drift as JSON: each drifted key's finding, and the keys only one report has. */
export function renderDiffJson(diffs: VendorDiff[]): string {
  return `${JSON.stringify({
    vendors: diffs.map((d) => ({
      vendor: d.vendor,
      drift: d.drift.filter(drifted).map(({ key, finding }) => ({ probe: key, ...finding, rule: finding.rule?.id })),
      onlyInNew: d.drift.filter((x) => x.finding.outcome === 'skip').map((x) => x.key),
      onlyInOld: d.missing,
      notes: d.notes,
    })),
  }, null, 2)}\n`;
}

export function registerDiffCommand(program: Command, io: Io): void {
  program
    .command('diff')
    .description('the drift between two saved JSON reports (--json of verify or check): each probe whose status, code, envelope fields, headers or check outcomes changed.\nExit 1 when something drifted, 0 when not.')
    .argument('<old.json>', 'the earlier report')
    .argument('<new.json>', 'the later report')
    .option('--markdown <file>', 'also write the comparison as Markdown, for a pull-request comment (- for stdout)')
    .option('--json <file>', 'also write the drift findings as JSON (- for stdout)')
    .addOption(new Option('--debug', 'show stack traces of errors').default(false))
    .action((oldFile: string, newFile: string, options: DiffOptions) => {
      const diffs = diffReports(readReport(oldFile), readReport(newFile));
      const markdown = renderDiffMarkdown(diffs, oldFile, newFile);
      if (options.markdown === '-') io.stdout.write(markdown);
      if (options.json === '-') io.stdout.write(renderDiffJson(diffs));
      if (options.markdown !== '-' && options.json !== '-') io.stdout.write(renderDiffTable(diffs));
      if (options.markdown && options.markdown !== '-') writeFileAtomic(options.markdown, markdown);
      if (options.json && options.json !== '-') writeFileAtomic(options.json, renderDiffJson(diffs));
      io.exitCode = diffs.some((d) => d.drift.some(drifted)) ? 1 : 0;
    });
}
