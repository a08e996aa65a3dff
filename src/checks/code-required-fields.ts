import { getPointer } from '../util/json-pointer';
import { defineCheck, fail, isError, needsJson, pass, skip } from './define';

/** Some codes promise extra fields (healthcloud FHIR_VALIDATION_ERROR carries details.issues). */
export default defineCheck({
  id: 'code-required-fields',
  title: 'Fields the code promises are present',
  appliesTo: (profile, status) => isError(status) && profile.codeDefs.some((c) => (c.requires ?? []).length > 0),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts, json } = ctx;
    const requires = facts.code ? profile.codeDef(facts.code)?.requires ?? [] : [];
    if (requires.length === 0) return skip(`code ${facts.code ?? '(none)'} promises no extra fields`);
    const missing = requires.filter((r) => getPointer(json, r.pointer) === undefined);
    if (missing.length === 0) return pass(`${requires.map((r) => r.pointer).join(', ')} present`, { rule: profile.rule(requires[0].rule) });
    return fail(`${facts.code} must carry ${missing.map((r) => r.pointer).join(', ')}`, {
      rule: profile.rule(missing[0].rule), expected: missing.map((r) => r.pointer), actual: 'missing',
    });
  },
});
