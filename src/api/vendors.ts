import { reportableRules } from '../checks';
import { knownVendorIds, loadProfile } from '../profile/load';
import type { Profile } from '../profile/profile';

/** One row of `errspec vendors` and `listVendors()`. */
export interface VendorInfo {
  id: string;
  title: string;
  /** The envelope schema's id (`opescare-error`, `fhir-operation-outcome`, ...). */
  envelope: string;
  codes: number;
  rules: number;
  probes: number;
}

export function vendorInfo(profile: Profile): VendorInfo {
  return {
    id: profile.id,
    title: profile.title,
    envelope: profile.doc.envelope.schema,
    codes: profile.codes().length,
    rules: reportableRules(profile).length,
    probes: profile.probes.length,
  };
}

/** The built-in vendors and the user profiles loaded so far (`--profile`, config `profiles:`), in id order. */
export function listVendors(): VendorInfo[] {
  return knownVendorIds().map((id) => vendorInfo(loadProfile(id)));
}
