import { DuplicateCheckError } from '../errors';
import type { Profile } from '../profile/profile';
import type { Check } from './define';
import probeStatus from './probe-status';
import mediaType from './media-type';
import jsonBody from './json-body';
import envelopeSchema from './envelope-schema';
import undocumentedFields from './undocumented-fields';
import documentedStatus from './documented-status';
import knownCode from './known-code';
import codeMatchesStatus from './code-matches-status';
import codeMatchesType from './code-matches-type';
import statusFieldMatches from './status-field-matches';
import codingSystem from './coding-system';
import codeRequiredFields from './code-required-fields';
import requiredHeaders from './required-headers';
import retryAfterSyntax from './retry-after-syntax';
import rateLimitHeaders from './rate-limit-headers';
import wwwAuthenticate from './www-authenticate';
import allowHeader from './allow-header';
import docUrl from './doc-url';
import errorSeverity from './error-severity';
import tokenResponse from './token-response';

/** Every check, in report order. Adding a check: one file, one line here, one fixture. */
export const checks: readonly Check[] = registry([
  probeStatus,
  mediaType,
  jsonBody,
  envelopeSchema,
  undocumentedFields,
  documentedStatus,
  knownCode,
  codeMatchesStatus,
  codeMatchesType,
  statusFieldMatches,
  codingSystem,
  codeRequiredFields,
  requiredHeaders,
  retryAfterSyntax,
  rateLimitHeaders,
  wwwAuthenticate,
  allowHeader,
  docUrl,
  errorSeverity,
  tokenResponse,
]);

function registry(list: Check[]): readonly Check[] {
  const seen = new Set<string>();
  for (const check of list) {
    if (seen.has(check.id)) throw new DuplicateCheckError(`two checks share the id ${check.id}`);
    seen.add(check.id);
  }
  return Object.freeze(list);
}

/** Every rule a check can report for this profile: the profile's own and the standards rules the checks cite for it. */
export function reportableRules(profile: Profile, list: readonly Check[] = checks): string[] {
  return [...new Set([...profile.ruleIdsInUse(), ...list.flatMap((c) => c.rules?.(profile) ?? [])])].sort();
}

export function checkById(id: string): Check | undefined {
  return checks.find((c) => c.id === id);
}

export type { Check } from './define';
