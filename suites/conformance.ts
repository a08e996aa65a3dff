import type { EvaluatedExchange, Finding, VendorRun } from '../src/types';
import { settingsFromEnv } from '../src/verify/settings';
import { checksForProbe, loadConfig, loadProfile, planVendor, runVendor, writeRunResult } from './engine';

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
 * The conformance suite of one vendor for users who run their own Jest: a thin adapter over the runner
 * `errspec verify` calls. One Jest test per (probe, check), named `<probe id> > <check id>`; the probes run
 * once in beforeAll, each test asserts its finding, and errspec's Jest reporter writes the same reports.
 */
export function conformanceSuite(vendorId: string): void {
  const settings = settingsFromEnv();
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
      try {
        run = await runVendor(vendorId, settings);
        // Jest's reporter runs in another process than the tests: the run reaches it through this file.
        writeRunResult(settings.resultsDir, run);
      } catch (error) {
        setupError = error as Error;
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
