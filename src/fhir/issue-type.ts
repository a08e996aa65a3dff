/**
 * FHIR R4 IssueType (valueset-issue-type.html) is a hierarchy: a child code is a more specific form of
 * its parent, so a probe that targets `invalid` is answered as targeted by `structure` or `required`.
 */
const PARENT: Readonly<Record<string, string | undefined>> = Object.freeze({
  invalid: undefined,
  structure: 'invalid',
  required: 'invalid',
  value: 'invalid',
  invariant: 'invalid',
  security: undefined,
  login: 'security',
  unknown: 'security',
  expired: 'security',
  forbidden: 'security',
  suppressed: 'security',
  processing: undefined,
  'not-supported': 'processing',
  duplicate: 'processing',
  'multiple-matches': 'processing',
  'not-found': 'processing',
  deleted: 'not-found',
  'too-long': 'processing',
  'code-invalid': 'processing',
  extension: 'processing',
  'too-costly': 'processing',
  'business-rule': 'processing',
  conflict: 'processing',
  transient: undefined,
  'lock-error': 'transient',
  'no-store': 'transient',
  exception: 'transient',
  timeout: 'transient',
  incomplete: 'transient',
  throttled: 'transient',
  informational: undefined,
});

export const ISSUE_TYPES: readonly string[] = Object.freeze(Object.keys(PARENT));

export function isIssueType(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(PARENT, code);
}

/** True when `code` is `target` or one of its descendants in the IssueType hierarchy. */
export function issueTypeWithin(code: string, target: string): boolean {
  let at: string | undefined = code;
  for (let depth = 0; at !== undefined && depth < 4; depth++) {
    if (at === target) return true;
    at = PARENT[at];
  }
  return false;
}
