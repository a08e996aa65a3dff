import { defineCheck, fail, isError, needsJson, pass, skip } from './define';

/** A documented code comes with the status the vendor's table pairs it with. */
export default defineCheck({
  id: 'code-matches-status',
  title: 'The error code is documented at this HTTP status',
  appliesTo: (profile, status) => isError(status) && profile.codeDefs.some((c) => c.status.length > 0),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts, status } = ctx;
    if (facts.code === undefined) return skip('no code found in the body: see envelope-schema');
    const def = profile.codeDef(facts.code);
    if (!def) return skip(`code ${facts.code} is not documented: see known-code`);
    if (def.status.length === 0) return skip(`the seed pairs ${facts.code} with no status`);
    const rule = profile.codeRule(facts.code);
    return def.status.includes(status)
      ? pass(`${facts.code} at ${status} as documented`, { rule })
      : fail(`code ${facts.code} is documented at ${def.status.join('|')}, got ${status}`, { rule, expected: def.status, actual: status });
  },
});
