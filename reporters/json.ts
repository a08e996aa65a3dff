import { runSummary } from '../src/engine/summary';
import type { EvaluatedExchange, RuleRef, Summary, VendorRun } from '../src/types';
import { toolVersion } from '../src/util/paths';
import { targetKindOf } from './target';

/**
 * The JSON report of one vendor run: the public shape of SPEC §5. A finding's `rule` is the rule's id;
 * the top-level `rules` map describes each rule once (`{id: {source, text, quote?}}`), so a report of
 * 100,000s of findings does not repeat rule texts. Written in pieces (the head, one line per exchange,
 * the totals and rules after the exchanges) so reporters/stream.ts writes the same bytes for a run it
 * never holds.
 */

export type RuleMap = Record<string, { source: string; url?: string; text: string; quote?: string[]; example?: boolean }>;

/** The fields of a run's head that are known before its first exchange. */
type Head = Pick<VendorRun, 'vendor' | 'target' | 'targetKind' | 'source' | 'startedAt'>;
/** What follows the exchanges: known once the run is over. */
type Trailer = Pick<VendorRun, 'durationMs' | 'unreachable' | 'notes' | 'coverage'> & { summary: Summary };

/** The rules cited by these exchanges' findings, each described once, by id. */
export function rulesOf(exchanges: Iterable<EvaluatedExchange>): RuleRef[] {
  const seen = new Map<string, RuleRef>();
  for (const e of exchanges) for (const f of e.findings) if (f.rule && !seen.has(f.rule.id)) seen.set(f.rule.id, f.rule);
  return [...seen.values()];
}

/** A rule as the `rules` map describes it (the whole-run and the streamed report alike). */
export function describeRule(r: RuleRef): RuleMap[string] {
  return { source: r.source, ...(r.url ? { url: r.url } : {}), text: r.text, ...(r.quote ? { quote: r.quote } : {}), ...(r.example ? { example: true } : {}) };
}

function ruleMap(rules: Iterable<RuleRef>): RuleMap {
  const map: RuleMap = {};
  for (const r of rules) map[r.id] ??= describeRule(r);
  return map;
}

/** The report as an object (what a reader gets from JSON.parse of renderJson). */
export function jsonReport(run: VendorRun): Record<string, unknown> {
  return { ...headObject(run), exchanges: run.exchanges.map(jsonExchange), ...trailerObject({ ...run, summary: runSummary(run) }, ruleMap(rulesOf(run.exchanges))) };
}

function headObject(head: Head): Record<string, unknown> {
  return { tool: { name: 'errspec', version: toolVersion() }, vendor: head.vendor, target: head.target, targetKind: targetKindOf(head), source: head.source, startedAt: head.startedAt };
}

function trailerObject(trailer: Trailer, rules: RuleMap): Record<string, unknown> {
  const sorted: RuleMap = {};
  for (const id of Object.keys(rules).sort()) sorted[id] = rules[id];
  return {
    durationMs: trailer.durationMs,
    summary: trailer.summary,
    ...(trailer.unreachable ? { unreachable: trailer.unreachable } : {}),
    ...(trailer.notes && trailer.notes.length > 0 ? { notes: trailer.notes } : {}),
    ...(trailer.coverage ? { coverage: trailer.coverage } : {}),
    rules: sorted,
  };
}

/**
 * One exchange as the JSON report lists it. The reproduction its failing findings share is given once,
 * as the exchange's `repro`; a finding carries its own only when it differs (readers: a failing,
 * erroring or warning finding without `repro` has the exchange's).
 */
export function jsonExchange(e: EvaluatedExchange): Record<string, unknown> {
  const repro = e.findings.find((f) => f.repro)?.repro;
  return {
    id: e.id,
    entry: e.entry,
    request: { method: e.request.method, url: e.request.url },
    response: e.response ? { status: e.response.status, headers: e.response.headers } : null,
    ...(e.transportError ? { transportError: e.transportError } : {}),
    ...(e.observed ? { observed: e.observed } : {}),
    ok: e.ok,
    ...(repro ? { repro } : {}),
    findings: e.findings.map((f) => ({
      check: f.check,
      outcome: f.outcome,
      message: f.message,
      ...(f.rule ? { rule: f.rule.id } : {}),
      ...(f.expected !== undefined ? { expected: f.expected } : {}),
      ...(f.actual !== undefined ? { actual: f.actual } : {}),
      ...(f.repro && f.repro !== repro ? { repro: f.repro } : {}),
    })),
  };
}

/** An exchange of a one-run JSON report: one line inside `exchanges`. */
export function jsonExchangeText(exchange: EvaluatedExchange): string {
  return `    ${JSON.stringify(jsonExchange(exchange))}`;
}

/** The report up to its first exchange. */
export function jsonHeadText(head: Head): string {
  const text = JSON.stringify(headObject(head), null, 2);
  return `${text.slice(0, -2)},\n  "exchanges": [`;
}

/** The report after its last exchange: the totals and the rules. */
export function jsonTrailerText(trailer: Trailer, hasExchanges: boolean, rules: RuleMap): string {
  const text = JSON.stringify(trailerObject(trailer, rules), null, 2);
  return `${hasExchanges ? '\n  ' : ''}],\n${text.slice(2)}\n`;
}

/** The text of one run's report, as the streamed writer writes it. */
function runText(run: VendorRun): string {
  const texts = run.exchanges.map(jsonExchangeText);
  const head = jsonHeadText(run);
  return `${head}${texts.length > 0 ? `\n${texts.join(',\n')}` : ''}${jsonTrailerText({ ...run, summary: runSummary(run) }, texts.length > 0, ruleMap(rulesOf(run.exchanges)))}`;
}

/** One vendor: the SPEC object. Several (verify --all): `{tool, runs: [...]}` with one SPEC object per vendor. */
export function renderJson(runs: VendorRun[]): string {
  if (runs.length === 1) return runText(runs[0]);
  return `{\n  "tool": ${JSON.stringify({ name: 'errspec', version: toolVersion() })},\n  "runs": [\n${runs.map((r) => runText(r).trimEnd()).join(',\n')}\n  ]\n}\n`;
}
