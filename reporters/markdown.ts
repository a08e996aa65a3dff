import { runSummary } from '../src/engine/summary';
import { TARGET_KIND_LABEL, targetKindOf } from './target';
import type { VendorRun } from '../src/types';
import { coverageLines } from './coverage';

/** Options of the Markdown summary. */
export interface MarkdownOptions {
  /** Failing checks listed before the rest is only counted; keeps a CI job page short. Default 30. */
  maxFailures?: number;
  /** Characters of a failure message shown. Default 160. */
  maxMessage?: number;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** One table cell of untrusted text: no HTML, no Markdown markup, no line break, no pipe. */
export function markdownCell(value: string, max = Infinity): string {
  let text = value.replace(/[\x00-\x1F\x7F\u2028\u2029]+/g, ' ').trim();
  if (text.length > max) text = `${text.slice(0, max - 1)}…`;
  return text.replace(/[&<>]/g, (c) => ENTITIES[c]).replace(/[\\`*_[\]|~]/g, '\\$&');
}

/** Ids as code when they are plain ids (as every built-in one is), else as escaped text. */
const idCell = (id: string): string => (/^[\w.:-]+$/.test(id) ? `\`${id}\`` : markdownCell(id));

const verdict = (run: VendorRun): string =>
  run.unreachable ? '⚠ unreachable' : run.exchanges.some((e) => !e.ok) ? '❌ failed' : '✅ passed';

/** A Markdown summary for a CI job page: totals per vendor, then the failing checks. */
export function renderMarkdown(runs: VendorRun[], options: MarkdownOptions = {}): string {
  const maxFailures = options.maxFailures ?? 30;
  const maxMessage = options.maxMessage ?? 160;
  const out = ['## errspec', '', '| vendor | result | exchanges | checks | passed | failed | warnings | skipped | errors |', '|---|---|--:|--:|--:|--:|--:|--:|--:|'];
  for (const run of runs) {
    const s = runSummary(run);
    out.push(`| ${idCell(run.vendor)} | ${verdict(run)} | ${s.exchanges} | ${s.checks} | ${s.passed} | ${s.failed} | ${s.warnings} | ${s.skipped} | ${s.errors} |`);
  }
  const mocked = runs.filter((run) => targetKindOf(run) === 'embedded-mock').map((run) => idCell(run.vendor));
  if (mocked.length > 0) out.push('', `Target of ${mocked.join(', ')}: ${TARGET_KIND_LABEL['embedded-mock']}, not a vendor server.`);
  for (const run of runs) if (run.unreachable) out.push('', `**${markdownCell(run.vendor)}**: target unreachable: ${markdownCell(run.unreachable, maxMessage)}`);
  for (const run of runs) for (const line of run.coverage ? coverageLines(run.coverage) : []) out.push('', `**${markdownCell(run.vendor)}**: ${markdownCell(line)}`);
  const failures = runs.flatMap((run) =>
    run.exchanges.flatMap((e) => e.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error').map((f) => ({ run, e, f }))),
  );
  if (failures.length > 0) {
    out.push('', `### Failing checks (${failures.length})`, '', '| vendor | probe | check | outcome | message |', '|---|---|---|---|---|');
    for (const { run, e, f } of failures.slice(0, maxFailures)) {
      out.push(`| ${idCell(run.vendor)} | ${idCell(e.id)} | ${idCell(f.check)} | ${f.outcome} | ${markdownCell(f.message, maxMessage)} |`);
    }
    if (failures.length > maxFailures) out.push('', `…and ${failures.length - maxFailures} more: see the JUnit, JSON or HTML report.`);
  }
  return `${out.join('\n')}\n`;
}
