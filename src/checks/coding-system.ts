import { defineCheck, fail, isError, needsJson, pass, warn } from './define';

/** NHS: the Spine code sits in issue[].details.coding[] under a Spine-ErrorOrWarningCode system. */
export default defineCheck({
  id: 'coding-system',
  title: 'The error code is a coding under an accepted code system',
  appliesTo: (profile, status) => isError(status) && 'extractor' in profile.doc.envelope.code && profile.doc.envelope.code.extractor === 'coding',
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts } = ctx;
    const locator = profile.doc.envelope.code as { systems: string[]; deprecatedSystems?: string[]; rule: string };
    const rule = profile.rule(locator.rule);
    if (facts.code === undefined) {
      return fail(`no issue.details.coding under ${locator.systems.join(' or ')}`, {
        rule, expected: locator.systems, actual: facts.otherSystems ?? [],
      });
    }
    if (locator.deprecatedSystems?.includes(facts.codingSystem!)) {
      return warn(`${facts.code} uses the older system ${facts.codingSystem}`, { rule, expected: locator.systems, actual: facts.codingSystem });
    }
    return pass(`${facts.code} under ${facts.codingSystem}`, { rule });
  },
});
