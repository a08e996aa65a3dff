// Issue 12: one summary per run, computed by the engine; every writer renders it and none counts for itself.
import { runSummary } from '../../src/engine/summary';
import type { Summary, VendorRun } from '../../src/types';
import { runVendor } from '../../src/verify/run-vendor';
import { summaryTable } from '../../reporters/console';
import { renderHtml } from '../../reporters/html';
import { renderJson } from '../../reporters/json';
import { renderJunit } from '../../reporters/junit';
import { renderMarkdown } from '../../reporters/markdown';
import { fixedRun } from '../helpers/runs';
import { startServer } from '../helpers/server';

type Totals = Pick<Summary, 'checks' | 'passed' | 'failed' | 'warnings' | 'skipped' | 'errors'>;
const pick = (s: Summary): Totals => ({ checks: s.checks, passed: s.passed, failed: s.failed, warnings: s.warnings, skipped: s.skipped, errors: s.errors });
const numbers = (cells: string[]): number[] => cells.map((c) => Number(c.trim()));

/** What each writer shows for a run, read back from its output. */
function shown(run: VendorRun): Record<string, Totals> {
  const json = (JSON.parse(renderJson([run])) as { summary: Summary }).summary;
  const suite = /<testsuite [^>]*>/.exec(renderJunit([run]))![0];
  const attr = (name: string) => Number(new RegExp(` ${name}="(\\d+)"`).exec(suite)![1]);
  // JUnit has no passed or warnings total: warnings are testcases that pass.
  const junit = { checks: attr('tests'), failures: attr('failures'), errors: attr('errors'), skipped: attr('skipped') };
  const [, mdChecks, mdPassed, mdFailed, mdWarnings, mdSkipped, mdErrors] = numbers(renderMarkdown([run]).split('\n').find((l) => l.startsWith(`| \`${run.vendor}\``) || l.startsWith(`| ${run.vendor}`))!.split('|').slice(3, 11));
  const consoleRow = summaryTable([run]).split('\n').find((l) => l.startsWith(run.vendor))!.trim().split(/\s+/).slice(2);
  const [cChecks, cPassed, cFailed, cWarnings, cSkipped, cErrors] = numbers(consoleRow);
  const htmlRow = /<tr><td class="text"><a href="#run-0">[\s\S]*?<\/tr>/.exec(renderHtml([run]))![0];
  const [hExchanges, hChecks, hPassed, hFailed, hWarnings, hSkipped, hErrors] = [...htmlRow.matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  void hExchanges;
  return {
    json: pick(json),
    junit: { checks: junit.checks, passed: json.passed, failed: junit.failures, warnings: json.warnings, skipped: junit.skipped, errors: junit.errors },
    markdown: { checks: mdChecks, passed: mdPassed, failed: mdFailed, warnings: mdWarnings, skipped: mdSkipped, errors: mdErrors },
    console: { checks: cChecks, passed: cPassed, failed: cFailed, warnings: cWarnings, skipped: cSkipped, errors: cErrors },
    html: { checks: hChecks, passed: hPassed, failed: hFailed, warnings: hWarnings, skipped: hSkipped, errors: hErrors },
  };
}

describe('every writer renders the engine\'s one summary', () => {
  test('a mixed run (pass, fail, warn, skip, error): the same totals in JSON, JUnit, HTML, Markdown and the console', () => {
    const run = fixedRun();
    const expected = pick(runSummary(run));
    expect(expected.failed + expected.warnings + expected.skipped).toBeGreaterThan(0);
    for (const [writer, totals] of Object.entries(shown(run))) expect({ writer, ...totals }).toEqual({ writer, ...expected });
  });

  test('an unreachable target: one error of its own, the same in every writer', async () => {
    const closed = await startServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const run = await runVendor('opescare', { baseUrl: url, timeoutMs: 2000 });
    expect(run.unreachable).toBeDefined();
    const expected = pick(runSummary(run));
    expect(expected.errors).toBe(run.exchanges.flatMap((e) => e.findings).filter((f) => f.outcome === 'error').length + 1);
    for (const [writer, totals] of Object.entries(shown(run))) expect({ writer, ...totals }).toEqual({ writer, ...expected });
  });
});
