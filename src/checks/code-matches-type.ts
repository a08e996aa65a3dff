import { defineCheck, fail, isError, needsJson, pass, skip } from './define';

/** Each code belongs to exactly one type (medblocks): a mismatch breaks clients that branch on type. */
export default defineCheck({
  id: 'code-matches-type',
  title: 'The error type is the one the code belongs to',
  appliesTo: (profile, status) => isError(status) && profile.doc.envelope.type !== undefined,
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, facts } = ctx;
    if (facts.code === undefined) return skip('no code found in the body: see envelope-schema');
    const def = profile.codeDef(facts.code);
    if (!def?.type) return skip(`code ${facts.code} is not documented: see known-code`);
    const rule = profile.codeRule(facts.code);
    return facts.type === def.type
      ? pass(`${facts.code} has type ${def.type}`, { rule })
      : fail(`code ${facts.code} belongs to type ${def.type}, got ${facts.type ?? 'none'}`, { rule, expected: def.type, actual: facts.type ?? null });
  },
});
