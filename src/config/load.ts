import { ConfigInvalidError } from '../errors';
import path from 'node:path';
import { describeAjvError, knownVendorIds, locate, parseYamlFile, registerProfiles } from '../profile/load';
import type { CredentialOptions } from '../probes/credentials';
import type { Profile } from '../profile/profile';
import { schemas } from '../profile/schemas';
import type { ProbeDef } from '../profile/types';

export interface ProbeOverride {
  skip?: boolean;
  method?: ProbeDef['method'];
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface VendorConfig {
  baseUrl?: string;
  /** Names of variables only: a bearer token, an API key, or OAuth2 client credentials. */
  auth?: CredentialOptions;
  ids?: Record<string, string>;
  /** Headers every request to this vendor carries (NHS: X-Request-ID); `{uuid}` is a fresh UUID per request. */
  headers?: Record<string, string>;
  probes?: Record<string, ProbeOverride>;
  /** `errspec mock --config`: scripted answers, asked for with `Prefer: errspec-error=<scenario>`. */
  mock?: { scenarios?: Record<string, string[]> };
}

/** The `--config FILE` YAML: per-vendor base URL, auth, probe paths and ids, budgets. */
export interface Config {
  timeoutMs?: number;
  maxBodyBytes?: number;
  maxRequests?: number;
  maxWaitSeconds?: number;
  /** Probes of one vendor in flight at once (default 1). */
  concurrency?: number;
  /** User profile files, relative to the config file's directory; each one's id is a vendor id. */
  profiles?: string[];
  vendors?: Record<string, VendorConfig>;
}

/** Load and validate a config file; every problem names the file and line. */
export function loadConfig(file: string): Config {
  const parsed = parseYamlFile(file, (m) => new ConfigInvalidError(m));
  const value = parsed.value ?? {};
  // Before the schema, whose message would quote the value: a password in a URL must not reach stderr either.
  for (const [id, vendor] of Object.entries((value as Config).vendors ?? {})) {
    for (const [key, url] of [['baseUrl', vendor?.baseUrl], ['auth.oauthTokenUrl', vendor?.auth?.oauthTokenUrl]] as const) {
      if (typeof url === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)) {
        throw new ConfigInvalidError(`${locate(parsed, `/vendors/${id}/${key.replace('.', '/')}`)}: config invalid: vendors.${id}.${key} must not carry credentials (user:password@): use auth.tokenEnv, auth.apiKeyEnv or auth.clientIdEnv/clientSecretEnv`);
      }
    }
  }
  const validate = schemas().validator('config');
  if (!validate(value)) {
    const first = validate.errors![0];
    throw new ConfigInvalidError(`${locate(parsed, first.instancePath)}: config invalid: ${describeAjvError(first)}`);
  }
  const config = value as Config;
  // Relative to the config file, so the pair of files works from any working directory.
  registerProfiles(config.profiles ?? [], path.dirname(path.resolve(file)));
  const known = knownVendorIds();
  for (const id of Object.keys(config.vendors ?? {})) {
    if (!known.includes(id)) throw new ConfigInvalidError(`${locate(parsed, `/vendors/${id}`)}: config invalid: unknown vendor "${id}" (known: ${known.join(', ')}; a profile of your own goes in profiles:)`);
  }
  return config;
}

/** The profile's probes and ids with a vendor's config overrides applied; unknown probe ids are an error. */
export function effectiveProbes(profile: Profile, vendor: VendorConfig | undefined, file = '--config'): { probes: ProbeDef[]; ids: Record<string, string> } {
  const overrides = vendor?.probes ?? {};
  for (const id of Object.keys(overrides)) {
    if (!profile.probes.some((p) => p.id === id)) {
      throw new ConfigInvalidError(`${file}: config invalid: vendors.${profile.id}.probes.${id}: no such probe (probes: ${profile.probes.map((p) => p.id).join(', ')})`);
    }
  }
  return { probes: withVendorHeaders(applyOverrides(profile.probes, overrides), vendor), ids: { ...profile.doc.ids, ...(vendor?.ids ?? {}) } };
}

/** A vendor's `headers` under every probe's own (a probe that sends a bad X-Request-ID keeps its own). */
export function withVendorHeaders(probes: ProbeDef[], vendor: VendorConfig | undefined): ProbeDef[] {
  const common = vendor?.headers;
  if (!common || Object.keys(common).length === 0) return probes;
  const lower = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return probes.map((p) => ({ ...p, headers: { ...lower(common), ...lower(p.headers ?? {}) } }));
}

/**
 * A config's per-probe overrides on a probe list: `skip` marks a probe not to send (it stays in the list, so
 * every report records the reduced coverage), the rest replaces its fields (headers merge).
 */
export function applyOverrides(probes: ProbeDef[], overrides: Record<string, ProbeOverride>): ProbeDef[] {
  return probes.map((p) => {
    const o = overrides[p.id];
    if (!o) return p;
    const { skip, ...rest } = o;
    return { ...p, ...rest, headers: { ...(p.headers ?? {}), ...(o.headers ?? {}) }, ...(skip ? { skippedByConfig: true } : {}) };
  });
}
