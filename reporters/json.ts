import { runSummary } from '../src/engine/summary';
import type { EvaluatedExchange, VendorRun } from '../src/types';
import { toolVersion } from '../src/util/paths';
import { targetKindOf } from './target';

/** The JSON report of one vendor run: the public shape of SPEC §5. */
export function jsonReport(run: VendorRun): Record<string, unknown> {
  return {
    tool: { name: 'errspec', version: toolVersion() },
    vendor: run.vendor,
    target: run.target,
    targetKind: targetKindOf(run),
    source: run.source,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    summary: runSummary(run),
    ...(run.unreachable ? { unreachable: run.unreachable } : {}),
    ...(run.notes && run.notes.length > 0 ? { notes: run.notes } : {}),
    ...(run.coverage ? { coverage: run.coverage } : {}),
    exchanges: run.exchanges.map(jsonExchange),
  };
}

/** One exchange as the JSON report lists it (also written one at a time by the streamed report). */
export function jsonExchange(e: EvaluatedExchange): Record<string, unknown> {
  return {
    id: e.id,
    entry: e.entry,
    request: { method: e.request.method, url: e.request.url },
    response: e.response ? { status: e.response.status, headers: e.response.headers } : null,
    ...(e.transportError ? { transportError: e.transportError } : {}),
    ...(e.observed ? { observed: e.observed } : {}),
    ok: e.ok,
    findings: e.findings.map((f) => ({
      check: f.check,
      outcome: f.outcome,
      message: f.message,
      rule: f.rule ? `${f.rule.source}: ${f.rule.text}` : undefined,
      ruleId: f.rule?.id,
      ...(f.expected !== undefined ? { expected: f.expected } : {}),
      ...(f.actual !== undefined ? { actual: f.actual } : {}),
      ...(f.repro ? { repro: f.repro } : {}),
    })),
  };
}

/** One vendor: the SPEC object. Several (verify --all): `{tool, runs: [...]}` with one SPEC object per vendor. */
export function renderJson(runs: VendorRun[]): string {
  if (runs.length === 1) return `${JSON.stringify(jsonReport(runs[0]), null, 2)}\n`;
  return `${JSON.stringify({ tool: { name: 'errspec', version: toolVersion() }, runs: runs.map(jsonReport) }, null, 2)}\n`;
}
