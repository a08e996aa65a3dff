import { defineCheck, fail, isError, needsJson, pass, skip, warn } from './define';

/** The machine-readable code is one the vendor documents; clients branch on it. */
export default defineCheck({
  id: 'known-code',
  title: 'The machine-readable code is documented',
  appliesTo: (_profile, status) => isError(status),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts, status } = ctx;
    const { outcome, rule: ruleId } = profile.doc.unknownCode;
    const rule = profile.rule(ruleId);
    if (facts.code === undefined) return skip('no code found in the body: see envelope-schema');
    if (profile.codeDef(facts.code)) return pass(`${facts.code} is documented`, { rule: profile.codeRule(facts.code) });
    const expected = profile.codesAt(status).length > 0 ? profile.codesAt(status) : profile.codes();
    const message = `code ${facts.code} is not in the documented list`;
    // What a seed leaves open is not a violation (SPEC §2): no code is documented at this status, so any
    // code is open there and this check has nothing to hold it to.
    if (!profile.statusHasCodes(status)) return skip(`${message}, and the seed documents no code at ${status}: the code is open`);
    const atStatus = profile.codesAt(status);
    // A long list helps nobody in a message (FHIR's 31 IssueType codes): the expected value still holds it.
    const listed = atStatus.length <= 12 ? ` (documented at ${status}: ${atStatus.join(', ')})` : ` (${atStatus.length} codes are documented at ${status})`;
    return outcome === 'fail'
      ? fail(`${message}${listed}`, { rule, expected, actual: facts.code })
      : warn(message, { rule, expected, actual: facts.code });
  },
});
