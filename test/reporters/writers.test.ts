import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { renderHtml } from '../../reporters/html';
import { renderJson } from '../../reporters/json';
import { renderJunit } from '../../reporters/junit';
import { markdownCell, renderMarkdown } from '../../reporters/markdown';
import { writeReports } from '../../reporters/write';
import { fixedRun, hostileRun, passingRun, unreachableRun } from '../helpers/runs';

const several = () => [fixedRun(), passingRun(), unreachableRun()];
/** The part of the page that depends on the runs; the static style and script are tested in the browser. */
const htmlBody = (html: string) => html.slice(html.indexOf('<body>'), html.indexOf('<script>'));

describe('report writers (snapshots of fixed runs)', () => {
  it('JSON', () => {
    expect(renderJson([fixedRun()])).toMatchSnapshot();
    expect(renderJson(several())).toMatchSnapshot();
  });

  it('JUnit', () => {
    expect(renderJunit(several())).toMatchSnapshot();
  });

  it('Markdown summary', () => {
    expect(renderMarkdown(several())).toMatchSnapshot();
  });

  it('HTML', () => {
    expect(htmlBody(renderHtml([fixedRun()]))).toMatchSnapshot();
    expect(htmlBody(renderHtml(several()))).toMatchSnapshot();
  });

  it('console lines and summary table, plain and coloured', () => {
    const run = fixedRun();
    expect(run.exchanges.map((e) => exchangeLine(run.vendor, e)).join('\n')).toMatchSnapshot();
    expect(summaryTable(several())).toMatchSnapshot();
    expect(JSON.stringify(run.exchanges.map((e) => exchangeLine(run.vendor, e, { color: true })))).toMatchSnapshot();
    expect(JSON.stringify(summaryTable(several(), { color: true }))).toMatchSnapshot();
  });
});

describe('console', () => {
  const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
  const pipe = {} as NodeJS.WritableStream;

  it('colours only on a terminal, and honours NO_COLOR and FORCE_COLOR', () => {
    expect(colorFor(tty, {})).toBe(true);
    expect(colorFor(pipe, {})).toBe(false);
    expect(colorFor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorFor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorFor(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('writes no escape code without colour, and keeps columns aligned with it', () => {
    const run = fixedRun();
    for (const e of run.exchanges) expect(exchangeLine(run.vendor, e)).not.toContain('\x1b[');
    expect(summaryTable(several())).not.toContain('\x1b[');
    const strip = (s: string) => s.replace(/\x1b\[\d+m/g, '');
    expect(strip(summaryTable(several(), { color: true }))).toBe(summaryTable(several()));
    expect(summaryTable(several(), { color: true })).toContain('\x1b[31m');
  });
});

describe('renderMarkdown', () => {
  it('keeps untrusted text from becoming markup, links or new rows', () => {
    expect(markdownCell('a|b\nc <script> *x* `y` [l](u) \\')).toBe('a\\|b c &lt;script&gt; \\*x\\* \\`y\\` \\[l\\](u) \\\\');
    const md = renderMarkdown([hostileRun()]);
    expect(md).not.toMatch(/<script|<img/);
    const rows = md.split('\n').filter((line) => line.startsWith('| `opescare`') || line.startsWith('| opescare'));
    for (const row of rows) expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(row.includes('proxy-1') ? 7 : 11);
  });

  it('stays short: lists the first failures and counts the rest', () => {
    const run = fixedRun();
    const failing = run.exchanges[1];
    run.exchanges = Array.from({ length: 50 }, (_, i) => ({ ...failing, id: `probe-${i}` }));
    const md = renderMarkdown([run], { maxFailures: 5 });
    expect(md.match(/\| `probe-\d+` \|/g)).toHaveLength(5);
    expect(md).toContain('…and 45 more: see the JUnit, JSON or HTML report.');
    expect(md.length).toBeLessThan(2000);
  });
});

describe('writeReports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-write-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the HTML report and the Markdown summary, and appends the summary to GITHUB_STEP_SUMMARY', () => {
    const stepSummary = path.join(dir, 'step-summary.md');
    writeFileSync(stepSummary, '# earlier step\n');
    const targets = { html: path.join(dir, 'out', 'report.html'), summary: path.join(dir, 'out', 'summary.md') };
    const written = writeReports(several(), targets, process.stdout, { GITHUB_STEP_SUMMARY: stepSummary });
    expect(written).toEqual([targets.html, targets.summary]);
    expect(readFileSync(targets.html, 'utf8')).toContain('<!DOCTYPE html>');
    const summary = readFileSync(targets.summary, 'utf8');
    expect(summary).toBe(renderMarkdown(several()));
    expect(readFileSync(stepSummary, 'utf8')).toBe(`# earlier step\n${summary}`);
  });

  it('writes the step summary alone when only GITHUB_STEP_SUMMARY is set, and nothing without it', () => {
    const stepSummary = path.join(dir, 'step-summary.md');
    expect(writeReports([fixedRun()], {}, process.stdout, { GITHUB_STEP_SUMMARY: stepSummary })).toEqual([]);
    expect(readFileSync(stepSummary, 'utf8')).toContain('## errspec');
    writeReports([fixedRun()], {}, process.stdout, {});
    expect(existsSync(path.join(dir, 'summary.md'))).toBe(false);
  });
});
