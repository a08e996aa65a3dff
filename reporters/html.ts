import { TARGET_KIND_LABEL, targetKindOf, targetLabel } from './target';
import { createHash } from 'node:crypto';
import { checks } from '../src/checks';
import { runSummary } from '../src/engine/summary';
import type { EvaluatedExchange, Finding, Outcome, Summary, VendorRun } from '../src/types';
import { toolVersion } from '../src/util/paths';
import { HTML_SCRIPT, HTML_STYLE } from './html-assets';
import { coverageLines } from './coverage';

/** Characters of a response body shown with a failure; the rest is counted, not shown. */
export const BODY_EXCERPT_CHARS = 4000;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Control characters, lone surrogates and non-characters are shown as \uXXXX so a reader sees they were there.
const INVISIBLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escape any text for HTML content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/[&<>"']/g, (c) => ENTITIES[c])
    .replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const SYMBOL: Record<Outcome, string> = { pass: '✓', fail: '✗', warn: '!', skip: '–', error: '⚠' };
const OUTCOMES: Outcome[] = ['pass', 'fail', 'warn', 'skip', 'error'];
const isFailure = (f: Finding): boolean => f.outcome === 'fail' || f.outcome === 'error';
const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const show = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value, null, 2) ?? String(value));

/** `2026-11-22T15:00:00.000Z` as `2026-11-22 15:00:00 UTC`; anything else as given. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const duration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Path and query of a URL, for the narrow matrix column; the full URL goes in the title. */
function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}

/**
 * A run as the page needs it: its head and totals, what the matrix columns are, and its exchanges, which
 * the page walks three times (matrix, failures, warnings). A run in memory lists them from its array;
 * a streamed one (`reporters/html-stream.ts`) reads them back from disk, so the page needs no whole run.
 */
export interface HtmlRun {
  run: Omit<VendorRun, 'exchanges'>;
  summary: Summary;
  /** Some exchange is not ok. */
  failed: boolean;
  columns: string[];
  /** Checks that failed or errored in some exchange. */
  failingChecks: Set<string>;
  /** Exchanges in all, with a failure, with warnings only. */
  exchangeCount: number;
  failingCount: number;
  warnedCount: number;
  exchanges: () => Iterable<EvaluatedExchange>;
}

const hasWarning = (e: EvaluatedExchange): boolean => e.findings.some((f) => f.outcome === 'warn');

/** An in-memory run as the page needs it. */
export function htmlRunOf(run: VendorRun): HtmlRun {
  return {
    run,
    summary: runSummary(run),
    failed: run.exchanges.some((e) => !e.ok),
    columns: checkColumns(run.exchanges),
    failingChecks: new Set(run.exchanges.flatMap((e) => e.findings.filter(isFailure).map((f) => f.check))),
    exchangeCount: run.exchanges.length,
    failingCount: run.exchanges.filter((e) => e.findings.some(isFailure)).length,
    warnedCount: run.exchanges.filter((e) => !e.findings.some(isFailure) && hasWarning(e)).length,
    exchanges: () => run.exchanges,
  };
}

function verdictOf(h: HtmlRun): { label: string; outcome: Outcome } {
  if (h.run.unreachable) return { label: 'unreachable', outcome: 'error' };
  if (h.failed) return { label: 'failed', outcome: 'fail' };
  if (h.summary.warnings > 0) return { label: 'passed with warnings', outcome: 'warn' };
  return { label: 'passed', outcome: 'pass' };
}

const REGISTRY_ORDER = new Map(checks.map((check, index) => [check.id, index]));

/** Check ids in registry order; ids the registry does not know follow in the order they ran. */
export function checkColumns(exchanges: Iterable<EvaluatedExchange>): string[] {
  const columns: string[] = [];
  for (const exchange of exchanges) addColumns(columns, exchange);
  return sortColumns(columns);
}

/** One exchange's checks added to the (unsorted) columns so far: checkColumns one exchange at a time. */
export function addColumns(columns: string[], exchange: EvaluatedExchange): void {
  let after = -1;
  for (const finding of exchange.findings) {
    const at = columns.indexOf(finding.check);
    if (at >= 0) after = at;
    else columns.splice(++after, 0, finding.check);
  }
}

export function sortColumns(columns: string[]): string[] {
  const rank = (id: string) => REGISTRY_ORDER.get(id) ?? Number.MAX_SAFE_INTEGER;
  return [...columns].sort((a, b) => rank(a) - rank(b));
}

function overviewTable(runs: HtmlRun[]): string {
  const rows = runs.map((h, r) => {
    const { run, summary: s } = h;
    const verdict = verdictOf(h);
    return `<tr><td class="text"><a href="#run-${r}"><code>${escapeHtml(run.vendor)}</code></a></td>`
      + `<td class="text"><span class="verdict o-${verdict.outcome}">${escapeHtml(verdict.label)}</span></td>`
      + `<td class="text target"><span title="${escapeHtml(targetLabel(run))}">${escapeHtml(TARGET_KIND_LABEL[targetKindOf(run)])}: ${escapeHtml(run.target)}</span></td><td class="text">${escapeHtml(run.source)}${run.strict ? ' · strict' : ''}</td>`
      + `<td class="text">${escapeHtml(when(run.startedAt))}</td><td>${escapeHtml(duration(run.durationMs))}</td>`
      + `<td>${s.exchanges}</td><td>${s.checks}</td><td>${s.passed}</td><td>${s.failed}</td><td>${s.warnings}</td><td>${s.skipped}</td><td>${s.errors}</td></tr>`;
  });
  return `<div class="overview-wrap"><table class="overview"><thead><tr><th>vendor</th><th class="text">verdict</th><th class="text">target</th><th class="text">source</th><th class="text">started</th><th>duration</th>`
    + `<th>exchanges</th><th>checks</th><th>passed</th><th>failed</th><th>warnings</th><th>skipped</th><th>errors</th></tr></thead>`
    + `<tbody>${rows.join('')}</tbody></table></div>`;
}

function legend(): string {
  const items = OUTCOMES.map((o) => `<span><span class="o o-${o}">${SYMBOL[o]}</span> ${o}</span>`);
  return `<div class="legend" aria-label="legend">${items.join('')}<span><span class="o na">&nbsp;</span> not applicable</span></div>`;
}

function tabs(runs: HtmlRun[]): string {
  if (runs.length < 2) return '';
  const links = runs.map(({ run, summary: s }, r) => {
    const bad = s.failed + s.errors;
    const count = bad > 0 ? `<span class="count o-fail">${bad}</span>` : `<span class="count o-pass">${SYMBOL.pass}</span>`;
    return `<a role="tab" id="tab-${r}" href="#run-${r}" aria-controls="run-${r}" aria-selected="${r === 0}">${escapeHtml(run.vendor)}${count}</a>`;
  });
  return `<nav class="tabs" role="tablist" aria-label="vendors">${links.join('')}</nav>`;
}

/** What came back: a status, a transport failure, or nothing because the probe was not sent (e.g. it writes). */
function statusText(exchange: EvaluatedExchange): string {
  if (exchange.response) return String(exchange.response.status);
  return exchange.transportError ? 'no response' : 'not sent';
}

function* matrix(h: HtmlRun, r: number): Generator<string> {
  if (h.exchangeCount === 0) return yield '<p class="empty">No exchanges.</p>';
  const { columns, failingChecks: failing } = h;
  const colClass = (check: string) => (failing.has(check) ? '' : ' col-clean');
  const head = columns.map((c) => `<th scope="col" class="check${colClass(c)}" title="${escapeHtml(c)}"><span>${escapeHtml(c)}</span></th>`).join('');
  yield `<div class="matrix-wrap"><table class="matrix"><thead><tr><th scope="col" class="left">exchange</th><th scope="col" class="left">status</th>${head}</tr></thead><tbody>`;
  let x = 0;
  for (const exchange of h.exchanges()) yield matrixRow(exchange, r, x++, columns, colClass);
  yield '</tbody></table></div>';
}

function matrixRow(exchange: EvaluatedExchange, r: number, x: number, columns: string[], colClass: (check: string) => string): string {
  const byCheck = new Map(exchange.findings.map((f) => [f.check, f]));
  const detailed = exchange.findings.some((f) => isFailure(f) || f.outcome === 'warn');
  const id = detailed ? `<a class="id" href="#r${r}-x${x}">${escapeHtml(exchange.id)}</a>` : `<span class="id">${escapeHtml(exchange.id)}</span>`;
  const request = `${exchange.request.method} ${shortUrl(exchange.request.url)}`;
  const status = statusText(exchange);
  const cells = columns.map((check, c) => {
    const finding = byCheck.get(check);
    if (!finding) return `<td class="cell na${colClass(check)}" title="${escapeHtml(check)}: not applicable"></td>`;
    const label = `${check}: ${finding.outcome}: ${finding.message}`;
    const symbol = detailed && finding.outcome !== 'pass' && finding.outcome !== 'skip'
      ? `<a href="#r${r}-x${x}-c${c}" aria-label="${escapeHtml(label)}">${SYMBOL[finding.outcome]}</a>`
      : `<span aria-label="${escapeHtml(label)}">${SYMBOL[finding.outcome]}</span>`;
    return `<td class="cell o-${finding.outcome}${colClass(check)}" title="${escapeHtml(label)}">${symbol}</td>`;
  });
  return `<tr class="${exchange.ok ? 'clean' : 'failing'}"><th scope="row">${id}<span class="req" title="${escapeHtml(`${exchange.request.method} ${exchange.request.url}`)}">${escapeHtml(request)}</span></th>`
    + `<td class="status${exchange.transportError ? ' bad' : ''}">${escapeHtml(status)}</td>${cells.join('')}</tr>`;
}

function findingBlock(finding: Finding, anchor: string): string {
  const parts = [`<div class="head"><span class="badge o-${finding.outcome}">${SYMBOL[finding.outcome]} ${finding.outcome}</span><code>${escapeHtml(finding.check)}</code></div>`];
  parts.push(`<p class="message">${escapeHtml(finding.message)}</p>`);
  if (finding.rule) {
    parts.push(`<div class="rule"><q>${escapeHtml(finding.rule.text)}</q><span class="source">rule <code>${escapeHtml(finding.rule.id)}</code> · ${finding.rule.url ? `<a href="${escapeHtml(finding.rule.url)}">${escapeHtml(finding.rule.source)}</a>` : escapeHtml(finding.rule.source)}</span></div>`);
  }
  if (finding.expected !== undefined || finding.actual !== undefined) {
    const box = (title: string, value: unknown) => `<div><h4>${title}</h4><pre>${value === undefined ? '<span class="cut">(not recorded)</span>' : escapeHtml(show(value))}</pre></div>`;
    parts.push(`<div class="pair">${box('Expected', finding.expected)}${box('Actual', finding.actual)}</div>`);
  }
  return `<section class="finding o-${finding.outcome}-row" id="${anchor}">${parts.join('')}</section>`;
}

function headerLines(headers: Record<string, string>): string {
  return Object.entries(headers).map(([name, value]) => `${name}: ${value}`).join('\n');
}

/** The body as received, pretty-printed when it is JSON, cut to an excerpt. */
function bodyExcerpt(body: string, truncated: boolean | undefined): string {
  let text = body;
  try {
    if (body.trim() !== '') text = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // Not JSON: shown as received.
  }
  const cut = text.length > BODY_EXCERPT_CHARS ? `\n<span class="cut">… ${text.length - BODY_EXCERPT_CHARS} more characters not shown</span>` : '';
  const capped = truncated ? '\n<span class="cut">(the body was cut at the size cap while receiving)</span>' : '';
  return `${escapeHtml(text.slice(0, BODY_EXCERPT_CHARS))}${cut}${capped}`;
}

function exchangeBlock(exchange: EvaluatedExchange, r: number, x: number, columns: string[], open: boolean): string {
  // Failures first: they are why the reader is here.
  const shown = [...exchange.findings.filter(isFailure), ...exchange.findings.filter((f) => f.outcome === 'warn')];
  const failures = shown.filter(isFailure).length;
  const warnings = shown.length - failures;
  const counts = [failures > 0 ? `<span class="badge o-fail">${failures} failed</span>` : '', warnings > 0 ? `<span class="badge o-warn">${plural(warnings, 'warning')}</span>` : ''].join('');
  const status = exchange.response ? `HTTP ${exchange.response.status}` : statusText(exchange);
  const summary = `<summary><span class="id">${escapeHtml(exchange.id)}</span><span class="req">${escapeHtml(`${exchange.request.method} ${exchange.request.url}`)} → ${escapeHtml(status)}</span>${counts}</summary>`;
  const findings = shown.map((f) => findingBlock(f, `r${r}-x${x}-c${columns.indexOf(f.check)}`)).join('');
  const requestText = [`${exchange.request.method} ${exchange.request.url}`, headerLines(exchange.request.headers)].filter(Boolean).join('\n');
  const requestBody = exchange.request.body ? `\n\n${exchange.request.body}` : '';
  const request = `<div><h4>Request (redacted)</h4><pre>${escapeHtml(requestText + requestBody)}</pre></div>`;
  const response = exchange.response
    ? `<div><h4>Response</h4><pre>${escapeHtml([status, headerLines(exchange.response.headers)].filter(Boolean).join('\n'))}\n\n${bodyExcerpt(exchange.response.body, exchange.response.truncated)}</pre></div>`
    : `<div><h4>Response</h4><pre>${escapeHtml(exchange.transportError ? `${exchange.transportError.code}: ${exchange.transportError.message}` : 'not sent')}</pre></div>`;
  const repros = [...new Set(exchange.findings.map((f) => f.repro).filter((s): s is string => Boolean(s)))];
  const repro = repros.map((command, i) => `<div class="repro"><h4>Reproduce</h4><pre id="r${r}-x${x}-curl${i}"><code>${escapeHtml(command)}</code></pre>`
    + `<button type="button" class="copy" data-copy="r${r}-x${x}-curl${i}">Copy</button></div>`).join('');
  return `<details class="exchange" id="r${r}-x${x}"${open ? ' open' : ''}>${summary}<div class="inner">${findings}<div class="http">${request}${response}</div>${repro}</div></details>`;
}

function* runSection(h: HtmlRun, r: number, several: boolean): Generator<string> {
  const { run, summary: s, columns } = h;
  const verdict = verdictOf(h);
  const title = run.title ? `${escapeHtml(run.title)} <code>${escapeHtml(run.vendor)}</code>` : `<code>${escapeHtml(run.vendor)}</code>`;
  const chips = [
    `<span class="chip o-pass">${SYMBOL.pass} ${s.passed} passed</span>`,
    `<span class="chip o-fail">${SYMBOL.fail} ${s.failed} failed</span>`,
    `<span class="chip o-warn">${SYMBOL.warn} ${plural(s.warnings, 'warning')}</span>`,
    `<span class="chip o-skip">${SYMBOL.skip} ${s.skipped} skipped</span>`,
    `<span class="chip o-error">${SYMBOL.error} ${plural(s.errors, 'error')}</span>`,
  ].join('');
  const facts = [
    ['target', escapeHtml(targetLabel(run))],
    ['source', escapeHtml(run.source)],
    ['started', escapeHtml(when(run.startedAt))],
    ['duration', escapeHtml(duration(run.durationMs))],
    ['exchanges', `${s.exchanges} (${plural(s.checks, 'check')})${run.strict ? ' · strict: warnings fail' : ''}`],
  ].map(([k, v]) => `<span><span class="k">${k}</span> ${v}</span>`).join('');
  const unreachable = run.unreachable ? `<p class="banner" role="alert"><strong>Target unreachable:</strong> ${escapeHtml(run.unreachable)}</p>` : '';
  const notes = run.notes && run.notes.length > 0 ? `<ul class="notes">${run.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const coverage = run.coverage ? `<ul class="notes coverage">${coverageLines(run.coverage).map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>` : '';
  const panel = several ? ` role="tabpanel" aria-labelledby="tab-${r}"` : '';
  yield `<section class="run" id="run-${r}"${panel} data-vendor="${escapeHtml(run.vendor)}">`
    + `<div class="run-title"><h2>${title}</h2><span class="verdict o-${verdict.outcome}">${escapeHtml(verdict.label)}</span></div>`
    + `${several ? `<p class="facts">${facts}</p>` : ''}<div class="chips">${chips}</div>${unreachable}${notes}${coverage}`
    + '<h3>Exchanges × checks</h3>';
  yield* matrix(h, r);
  yield `<h3>Failures (${plural(h.failingCount, 'exchange')})</h3>`;
  if (h.failingCount === 0) yield `<p class="empty">No failures${run.unreachable ? ' recorded' : ''}.</p>`;
  else {
    let x = 0;
    for (const e of h.exchanges()) {
      if (e.findings.some(isFailure)) yield exchangeBlock(e, r, x, columns, true);
      x++;
    }
  }
  if (h.warnedCount > 0) {
    yield `<div class="warnings"><h3>Warnings (${plural(h.warnedCount, 'exchange')})</h3>`;
    let x = 0;
    for (const e of h.exchanges()) {
      if (!e.findings.some(isFailure) && hasWarning(e)) yield exchangeBlock(e, r, x, columns, false);
      x++;
    }
    yield '</div>';
  }
  yield '</section>';
}

/** One self-contained HTML page for these runs: no network fetch, works from file://. */
export function renderHtml(runs: VendorRun[]): string {
  return [...htmlParts(runs.map(htmlRunOf))].join('');
}

/** The page in pieces, for a writer that streams it (a run too large to render as one string). */
export function* htmlParts(runs: HtmlRun[]): Generator<string> {
  const total = runs.reduce((n, h) => n + h.summary.failed + h.summary.errors, 0);
  const vendors = runs.map((h) => h.run.vendor).join(', ');
  const title = `errspec: ${vendors || 'no vendor'} (${total > 0 ? `${total} failed` : 'passed'})`;
  const csp = `default-src 'none'; style-src ${sha256(HTML_STYLE)}; script-src ${sha256(HTML_SCRIPT)}; base-uri 'none'; form-action 'none'`;
  const several = runs.length > 1;
  yield [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${HTML_STYLE}</style>`,
    '</head>',
    '<body>',
    '<header class="page-header">',
    `<h1>errspec conformance report: ${escapeHtml(vendors || 'no vendor')}</h1>`,
    `<p class="tool">errspec ${escapeHtml(toolVersion())} · error contracts of health-care APIs</p>`,
    overviewTable(runs),
    `<div class="controls"><label><input type="checkbox" id="failures-only"> Failures only</label>${legend()}</div>`,
    '</header>',
    tabs(runs),
    '<main>',
  ].join('\n');
  for (let r = 0; r < runs.length; r++) {
    if (r > 0) yield '\n';
    yield* runSection(runs[r], r, several);
  }
  yield [
    '</main>',
    '<footer class="page-footer">Each rule quotes its source (the vendor\'s documentation or the standard). Secrets were redacted when the exchanges were recorded; reproductions read credentials from environment variables.</footer>',
    `<script>${HTML_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
