import type { Shard } from '../engine/shard';
import path from 'node:path';
import type { Config } from '../config/load';
import type { CredentialOptions } from '../probes/credentials';

/** Everything the runner needs to run one vendor: from `errspec verify`'s options, or from the environment in a user's own Jest. */
export interface VerifySettings {
  /** Under a user's own Jest: where each suite writes its VendorRun as <vendor>.json for errspec's Jest reporter. */
  resultsDir?: string;
  /** One target for the selected vendor(s); else the config's per-vendor baseUrl, else the embedded mock. */
  baseUrl?: string;
  configFile?: string;
  /** `configFile` already read and validated (by the CLI, before any request): not read again. */
  config?: Config;
  credential?: CredentialOptions;
  timeoutMs?: number;
  maxBodyBytes?: number;
  strict?: boolean;
  allowWrites?: boolean;
  rateLimitProbe?: boolean;
  maxRequests?: number;
  maxWaitSeconds?: number;
  /** An OpenAPI 3.0/3.1 file: probes are derived from its operations instead of the profile's (`--openapi`). */
  openapiFile?: string;
  /** Most probes derived from `openapiFile`, each one request (`--max-probes`, default 50). */
  maxProbes?: number;
  /** Probes of one vendor in flight at once (`--concurrency`, default 1). */
  concurrency?: number;
  /** Accept any TLS certificate of the target (`--insecure`). */
  insecure?: boolean;
  /** `--shard I/N`: only this shard's probes (src/engine/shard.ts). */
  shard?: Shard;
  /** Where progress lines go as exchanges complete. */
  progress?: 'stdout' | 'stderr' | 'none';
  color?: boolean;
}

/**
 * Settings for a suite when a user points their own Jest at suites/: ERRSPEC_BASE_URL, ERRSPEC_CONFIG,
 * ERRSPEC_TOKEN_ENV, ERRSPEC_STRICT, ERRSPEC_OPENAPI, ERRSPEC_MAX_PROBES and ERRSPEC_RESULTS_DIR.
 * (`errspec verify` calls the runner itself and passes its settings as arguments.)
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): VerifySettings & { resultsDir: string } {
  return {
    resultsDir: env.ERRSPEC_RESULTS_DIR ?? path.join(process.cwd(), 'reports', '.errspec-runs'),
    baseUrl: env.ERRSPEC_BASE_URL || undefined,
    configFile: env.ERRSPEC_CONFIG || undefined,
    credential: env.ERRSPEC_TOKEN_ENV ? { tokenEnv: env.ERRSPEC_TOKEN_ENV } : undefined,
    strict: env.ERRSPEC_STRICT === '1',
    openapiFile: env.ERRSPEC_OPENAPI || undefined,
    maxProbes: env.ERRSPEC_MAX_PROBES ? Number(env.ERRSPEC_MAX_PROBES) : undefined,
    progress: 'none',
  };
}
