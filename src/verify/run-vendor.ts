import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/load';
import { startMock, type RunningMock } from '../mock/server';
import { oauthSettingsFrom, wantsOAuth } from '../auth/options';
import { credentialFrom, mockCredential, type CredentialOptions } from '../probes/credentials';
import { runProbes } from '../probes/run';
import { loadProfile } from '../profile/load';
import type { EvaluatedExchange, VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { writeFileAtomic } from '../util/write-atomic';
import { planVendor, withPlan } from './plan';
import { coverageOf } from '../drift/observe';
import type { VerifySettings } from './settings';

export interface VendorRunHooks {
  onExchange?: (vendor: string, exchange: EvaluatedExchange) => void;
  signal?: AbortSignal;
}

/** Values of every environment variable a `*-env` option names: redacted everywhere. */
export function secretValues(settings: VerifySettings, config: Config | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const namesOf = (auth: CredentialOptions | undefined) => [auth?.tokenEnv, auth?.apiKeyEnv, auth?.clientIdEnv, auth?.clientSecretEnv];
  const names = namesOf(settings.credential);
  for (const vendor of Object.values(config?.vendors ?? {})) names.push(...namesOf(vendor.auth));
  return names.filter((n): n is string => Boolean(n)).map((n) => env[n] ?? '').filter(Boolean);
}

/** The command line's credential options when it gives any, else the config's for this vendor: never a mix of both. */
export function authOptions(cli: CredentialOptions | undefined, configured: CredentialOptions | undefined): CredentialOptions {
  const given = Object.fromEntries(Object.entries(cli ?? {}).filter(([, v]) => v !== undefined && v !== '')) as CredentialOptions;
  const named = given.tokenEnv || given.apiKeyEnv || wantsOAuth(given);
  return named ? given : { ...(configured ?? {}), ...given };
}

/** Run one vendor's probes against its target: the configured one, or its embedded mock started and stopped here. */
export async function runVendor(vendorId: string, settings: VerifySettings, hooks: VendorRunHooks = {}): Promise<VendorRun> {
  const profile = loadProfile(vendorId);
  const config = settings.config ?? (settings.configFile ? loadConfig(settings.configFile) : undefined);
  const vendorConfig = config?.vendors?.[profile.id];
  // The Jest suite lists its tests from the same plan.
  const plan = planVendor(profile, settings, config);
  const { probes, ids } = plan;
  const baseUrl = settings.baseUrl ?? vendorConfig?.baseUrl;
  let mock: RunningMock | undefined;
  let run: VendorRun;
  try {
    // Embedded mock: it rate-limits after 10 requests so the opt-in burst has something to find.
    if (!baseUrl) {
      const faults = settings.rateLimitProbe && probes.some((p) => p.burst) ? { rateLimitAfter: 10, rateLimitWindowSeconds: 1 } : {};
      mock = await startMock(profile, { faults, probes: plan.mockProbes });
    }
    const target = baseUrl ?? mock!.url;
    const auth = authOptions(settings.credential, vendorConfig?.auth);
    const oauth = oauthSettingsFrom(auth, target);
    const credential = credentialFrom(auth) ?? (mock && !oauth ? mockCredential(profile) : undefined);
    run = await runProbes(profile, {
      baseUrl: baseUrl ?? mock!.url,
      credential,
      oauth,
      concurrency: settings.concurrency ?? config?.concurrency,
      probes,
      ids,
      timeoutMs: settings.timeoutMs ?? config?.timeoutMs,
      maxBodyBytes: settings.maxBodyBytes ?? config?.maxBodyBytes,
      strict: settings.strict,
      allowWrites: settings.allowWrites,
      rateLimitProbe: settings.rateLimitProbe,
      maxRequests: settings.maxRequests ?? config?.maxRequests,
      maxWaitSeconds: settings.maxWaitSeconds ?? config?.maxWaitSeconds,
      redactor: new Redactor(secretValues(settings, config)),
      onExchange: hooks.onExchange ? (e) => hooks.onExchange!(profile.id, e) : undefined,
      signal: hooks.signal,
      insecure: settings.insecure,
    });
  } finally {
    await mock?.close();
  }
  // Which documented codes this run's answers carried: data of the run, rendered by every reporter.
  const coverage = coverageOf(profile.codes(), run.exchanges.map((e) => e.observed?.code));
  return { ...withPlan(run, plan), targetKind: mock ? 'embedded-mock' : 'base-url', coverage };
}

export function writeRunResult(resultsDir: string, run: VendorRun): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileAtomic(path.join(resultsDir, `${run.vendor}.json`), JSON.stringify(run));
}

/** The runs the suites wrote, in vendor order. */
export function readRunResults(resultsDir: string): VendorRun[] {
  let files: string[];
  try {
    files = readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return files.map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')) as VendorRun);
}
