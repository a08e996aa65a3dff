import { issueTypeWithin } from '../fhir/issue-type';
import type { Profile } from '../profile/profile';
import { defineCheck, fail, pass, warn } from './define';

/**
 * The probe was built to provoke one error: did the target answer with it, status and (where the profile
 * names them) codes? A documented expectation that is not met fails; a heuristic one that is answered with
 * another error only warns ("did not provoke"), since no sentence promised that answer to that request.
 */
export default defineCheck({
  id: 'probe-status',
  title: 'The probe is answered with the error it targets (status and codes)',
  appliesTo: (_profile, _status, exchange) => exchange === undefined || exchange.expectedStatuses !== undefined,
  run: ({ profile, exchange, status, facts }) => {
    const expected = exchange.expectedStatuses ?? [];
    const codes = exchange.expectedCodes ?? [];
    const probe = profile.probes.find((p) => p.id === exchange.id);
    const rule = probe ? profile.rule(probe.rule) : profile.rule(profile.doc.statusRule);
    const statusOk = expected.includes(status);
    const codeOk = codes.length === 0 || (facts.code !== undefined && codes.some((target) => codeWithin(profile, facts.code!, target)));
    const wanted = `HTTP ${expected.join(' or ')}${codes.length > 0 ? ` with code ${codes.join(' or ')}` : ''}`;
    const got = `${status}${facts.code !== undefined ? ` ${facts.code}` : ''}`;
    const detail = { rule, expected: codes.length > 0 ? { status: expected, codes } : expected, actual: codes.length > 0 ? { status, code: facts.code ?? null } : status };
    if (statusOk && codeOk) return pass(`answered ${got} as targeted`, { rule });
    if (exchange.basis === 'heuristic' && status >= 400) {
      return warn(`did not provoke the targeted error (${wanted}); got ${got}; adjust \`probes.${exchange.id}\` in the config`, detail);
    }
    return fail(`expected ${wanted}, got ${got}`, detail);
  },
});

/** A FHIR IssueType code is within its ancestors (`structure` answers a probe that targets `invalid`). */
function codeWithin(profile: Profile, code: string, target: string): boolean {
  if (code === target) return true;
  const locator = profile.doc.envelope.code;
  return 'extractor' in locator && locator.extractor === 'issue-code' && issueTypeWithin(code, target);
}
