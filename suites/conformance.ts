import type { EvaluatedExchange, Finding, VendorRun } from '../src/types';
import { sharedEngine } from '../src/verify/shared-engine';
import { settingsFromEnv } from '../src/verify/settings';
import type * as Engine from './engine';

/** Under errspec verify, the engine the CLI loaded (once per process, see shared-engine.ts); under a user's own Jest, this file's own. */
function loadEngine(): typeof Engine {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return sharedEngine<typeof Engine>() ?? (require('./engine') as typeof Engine);
}

/** A finding that fails its test carries what was expected, what came back and how to reproduce it. */
export function failureText(exchange: EvaluatedExchange, finding: Finding): string {
  const lines = [`${finding.check}: ${finding.message}`];
  if (finding.rule) lines.push(`rule ${finding.rule.id} (${finding.rule.source}): ${finding.rule.text}`);
  if (finding.expected !== undefined) lines.push(`expected: ${JSON.stringify(finding.expected)}`);
  if (finding.actual !== undefined) lines.push(`actual:   ${JSON.stringify(finding.actual)}`);
  if (finding.repro) lines.push(`reproduce: ${finding.repro}`);
  lines.push(`request: ${exchange.request.method} ${exchange.request.url}`);
  return lines.join('\n');
}

/**
 * The conformance suite of one vendor: one Jest test per (probe, check), named `<probe id> > <check id>`.
 * The probes run once in beforeAll; each test asserts its finding.
 */
export function conformanceSuite(vendorId: string): void {
  const settings = settingsFromEnv();
  const { checksForProbe, exchangeLine, loadConfig, loadProfile, planVendor, runVendor, watchInterrupt, writeRunResult } = loadEngine();
  const profile = loadProfile(vendorId);
  const config = settings.configFile ? loadConfig(settings.configFile) : undefined;
  // The plan runVendor sends: the profile's probes, or with --openapi those derived from the document.
  const plan = planVendor(profile, settings, config);
  const { probes } = plan;
  // Every request may time out (a retry per probe after an expired token, two token requests), and any may first wait out a Retry-After.
  const requests = 2 * probes.length + (settings.maxRequests ?? 60) + 2;
  // Capped at the largest timer delay: above 2^31-1 ms Node fires after 1 ms, and the suite would time out at once.
  const budgetMs = Math.min((settings.timeoutMs ?? 10_000) * requests + (settings.maxWaitSeconds ?? 60) * 1000 * (probes.length + 2) + 10_000, 2 ** 31 - 1);
  let run: VendorRun | undefined;
  let setupError: Error | undefined;

  describe(vendorId, () => {
    beforeAll(async () => {
      const out = settings.progress === 'stdout' ? process.stdout : settings.progress === 'stderr' ? process.stderr : undefined;
      // errspec verify aborts this on SIGINT/SIGTERM: the probe in flight stops and what finished is written.
      const interrupt = watchInterrupt();
      try {
        if (interrupt.signal.aborted) throw new Error(`interrupted (${String(interrupt.signal.reason)}) before ${vendorId} ran`);
        run = await runVendor(vendorId, settings, {
          onExchange: out ? (vendor, exchange) => out.write(`${exchangeLine(vendor, exchange, { color: settings.color })}\n`) : undefined,
          signal: interrupt.signal,
        });
        writeRunResult(settings.resultsDir, run);
      } catch (error) {
        setupError = error as Error;
      } finally {
        interrupt.dispose();
      }
    }, budgetMs);

    for (const probe of probes) {
      for (const check of checksForProbe(profile, probe.expect.status)) {
        test(`${probe.id} > ${check.id}`, () => {
          if (setupError) throw setupError;
          if (run?.unreachable) throw new Error(run.unreachable);
          const exchange = run?.exchanges.find((e) => e.id === probe.id);
          const finding = exchange?.findings.find((f) => f.check === check.id);
          if (!exchange || !finding) throw new Error(`no finding for ${probe.id} > ${check.id}`);
          // Jest cannot skip at run time: skips and warnings pass here and show as such in errspec's reports.
          if (finding.outcome === 'fail' || finding.outcome === 'error') throw new Error(failureText(exchange, finding));
        });
      }
    }

    // What an OpenAPI document declares against the contract: known before any request, so no run is needed.
    for (const exchange of plan.document) {
      for (const finding of exchange.findings) {
        test(`${exchange.id} > ${finding.check}`, () => {
          if (finding.outcome === 'fail' || finding.outcome === 'error') throw new Error(failureText(exchange, finding));
        });
      }
    }
  });
}
