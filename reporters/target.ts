import type { TargetKind, VendorRun } from '../src/types';

/** What each kind of target is called in every report. */
export const TARGET_KIND_LABEL: Record<TargetKind, string> = {
  'embedded-mock': "errspec's embedded reference mock",
  'base-url': 'your target',
  capture: 'a captured HAR',
  'proxy-upstream': 'the proxied upstream',
};

/** A run's target kind; runs saved before the field existed were the user's target. */
export const targetKindOf = (run: Pick<VendorRun, 'targetKind'>): TargetKind => run.targetKind ?? 'base-url';

/** `errspec's embedded reference mock (http://127.0.0.1:4321)`: what was tested, in words. */
export function targetLabel(run: Pick<VendorRun, 'target' | 'targetKind'>): string {
  return `${TARGET_KIND_LABEL[targetKindOf(run)]} (${run.target})`;
}
