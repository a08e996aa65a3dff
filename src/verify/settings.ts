import path from 'node:path';
import type { CredentialOptions } from '../probes/credentials';

/** Everything a conformance suite needs to run one vendor; verify passes it to Jest in ERRSPEC_VERIFY. */
export interface VerifySettings {
  /** Where each suite writes its VendorRun as <vendor>.json for the reporters. */
  resultsDir: string;
  /** One target for the selected vendor(s); else the config's per-vendor baseUrl, else the embedded mock. */
  baseUrl?: string;
  configFile?: string;
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
  /** Where progress lines go as exchanges complete. */
  progress?: 'stdout' | 'stderr' | 'none';
  color?: boolean;
}

export const SETTINGS_ENV = 'ERRSPEC_VERIFY';

/**
 * Settings for a suite: from errspec verify, or, when a user points their own Jest at suites/,
 * from ERRSPEC_BASE_URL, ERRSPEC_CONFIG, ERRSPEC_TOKEN_ENV and ERRSPEC_RESULTS_DIR.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): VerifySettings {
  const raw = env[SETTINGS_ENV];
  if (raw) return JSON.parse(raw) as VerifySettings;
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
