import { defineCheck, isError, needsJson, pass, warn } from './define';
import { schemas } from '../profile/schemas';

/** A field the envelope does not document breaks no client, but users should see the drift (SPEC §2). */
export default defineCheck({
  id: 'undocumented-fields',
  title: 'The error body has no fields the envelope does not document',
  appliesTo: (_profile, status) => isError(status),
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile } = ctx;
    const extra = ctx.envelopeErrors()
      .filter((e) => e.keyword === 'additionalProperties')
      .map((e) => `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}`);
    const root = schemas().schema(profile.doc.envelope.schema)?.['x-rule'];
    const rule = profile.rule(typeof root === 'string' ? root : profile.doc.envelope.mediaTypeRule);
    return extra.length === 0
      ? pass('no undocumented fields', { rule })
      : warn(`fields the envelope does not document: ${extra.join(', ')}`, { rule, expected: 'documented fields only', actual: extra });
  },
});
