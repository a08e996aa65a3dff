import type { ErrorObject } from 'ajv';
import { schemas } from '../profile/schemas';
import type { CheckContext } from './define';
import { defineCheck, fail, isError, needsJson, pass, type SchemaViolation } from './define';

/** The body matches the vendor's envelope schema; each violation names the rule its schema node carries. */
export default defineCheck({
  id: 'envelope-schema',
  title: 'The error body matches the documented envelope',
  appliesTo: (_profile, status) => isError(status),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile } = ctx;
    // A field the envelope does not document breaks no client: undocumented-fields warns about it.
    const errors = ctx.envelopeErrors().filter((e) => e.keyword !== 'additionalProperties');
    const schemaName = profile.doc.envelope.schema;
    if (errors.length === 0) return pass(`body matches ${schemaName}`, { rule: profile.rule(rootRule(ctx)) });
    const violations: SchemaViolation[] = errors.map((e) => ({
      rule: schemasRule(ctx, e) ?? rootRule(ctx),
      instancePath: e.instancePath || '/',
      keyword: e.keyword,
      message: `${e.message ?? e.keyword}${offending(e)}`,
    }));
    const first = violations[0];
    return fail(violations.map((v) => `${v.instancePath} ${v.message} [${v.rule}]`).join('; '), {
      rule: profile.rule(first.rule),
      expected: `a body valid against ${schemaName}`,
      actual: violations.map((v) => `${v.instancePath} ${v.message}`),
      violations,
    });
  },
});


/** The value that broke the rule, quoted and short (a `required` error names the missing field, not its parent). */
function offending(error: ErrorObject): string {
  if (error.keyword === 'required' || error.data === undefined) return '';
  const text = JSON.stringify(error.data) ?? String(error.data);
  return ` (got ${text.length > 80 ? `${text.slice(0, 77)}...` : text})`;
}

function rootRule(ctx: CheckContext): string {
  const root = schemas().schema(ctx.profile.doc.envelope.schema)?.['x-rule'];
  return typeof root === 'string' ? root : ctx.profile.doc.envelope.mediaTypeRule;
}

function schemasRule(ctx: CheckContext, error: ErrorObject): string | undefined {
  return schemas().ruleOf(ctx.profile.doc.envelope.schema, error);
}
