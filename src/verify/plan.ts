import { probeInShard } from '../engine/shard';
import { applyOverrides, effectiveProbes, withVendorHeaders, type Config, type VendorConfig } from '../config/load';
import { ConfigInvalidError } from '../errors';
import { planFromOpenApi } from '../openapi/plan';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, VendorRun } from '../types';
import type { VerifySettings } from './settings';

/** What one vendor's run sends and reports; the Jest suite lists its tests from the same plan. */
export interface VendorPlan {
  /** The probes to send, config overrides applied. */
  probes: ProbeDef[];
  ids: Record<string, string>;
  /** Probes the embedded reference mock must answer beyond the profile's own. */
  mockProbes: ProbeDef[];
  /** Findings that need no request (an OpenAPI document's declared errors). */
  document: EvaluatedExchange[];
  notes: string[];
}

/** The profile's probes, or with `openapiFile` the probes derived from that document (at most `maxProbes`). */
export function planVendor(profile: Profile, settings: VerifySettings, config: Config | undefined): VendorPlan {
  const plan = planAll(profile, settings, config);
  if (!settings.shard) return plan;
  // `--shard I/N`: this shard's probes only, split by vendor and probe id (src/engine/shard.ts).
  const mine = (p: ProbeDef): boolean => probeInShard(settings.shard, profile.id, p.id);
  // What the plan finds without sending (the OpenAPI document's findings) belongs to the first shard, so merged shards count it once.
  return { ...plan, probes: plan.probes.filter(mine), document: settings.shard.index === 1 ? plan.document : [] };
}

function planAll(profile: Profile, settings: VerifySettings, config: Config | undefined): VendorPlan {
  const vendorConfig = config?.vendors?.[profile.id];
  if (!settings.openapiFile) {
    const { probes, ids } = effectiveProbes(profile, vendorConfig, settings.configFile);
    return { probes, ids, mockProbes: [], document: [], notes: [] };
  }
  const ids = { ...profile.doc.ids, ...(vendorConfig?.ids ?? {}) };
  const plan = planFromOpenApi(profile, settings.openapiFile, {
    maxProbes: settings.maxProbes,
    ids,
    baseUrl: settings.baseUrl ?? vendorConfig?.baseUrl,
    strict: settings.strict,
  });
  const notes = [...plan.notes];
  if (settings.rateLimitProbe) notes.push('openapi: --rate-limit-probe is not sent with --openapi: every request counts against --max-probes');
  const probes = withOverrides(profile, plan.probes, [...plan.probes.map((p) => p.id), ...plan.left], vendorConfig, settings.configFile);
  return { probes, ids, mockProbes: probes, document: plan.document, notes };
}

/** Config overrides by probe id apply to derived probes too; an id that is neither a profile nor a derived probe is an error. */
function withOverrides(profile: Profile, probes: ProbeDef[], derivedIds: string[], vendor: VendorConfig | undefined, file = '--config'): ProbeDef[] {
  const overrides = vendor?.probes ?? {};
  for (const id of Object.keys(overrides)) {
    if (!derivedIds.includes(id) && !profile.probes.some((p) => p.id === id)) {
      throw new ConfigInvalidError(`${file}: config invalid: vendors.${profile.id}.probes.${id}: no such probe (derived from the OpenAPI document: ${derivedIds.join(', ')})`);
    }
  }
  return withVendorHeaders(applyOverrides(probes, overrides), vendor);
}

/** The run with what the plan found without sending anything: document findings after the probes, and notes. */
export function withPlan(run: VendorRun, plan: VendorPlan): VendorRun {
  if (plan.document.length === 0 && plan.notes.length === 0) return run;
  return { ...run, exchanges: [...run.exchanges, ...plan.document], notes: [...(run.notes ?? []), ...plan.notes] };
}
