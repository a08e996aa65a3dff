import { getPointer } from '../util/json-pointer';
import { defineCheck, fail, isError, needsJson, pass, skip } from './define';

/** A body field that repeats the HTTP status (opescare `status`, RFC 9457's `status` member) must equal it. */
export default defineCheck({
  id: 'status-field-matches',
  title: 'The status field of the body equals the HTTP status',
  appliesTo: (profile, status) => isError(status) && profile.doc.envelope.statusField !== undefined,
  run: (ctx) => {
    const notJson = needsJson(ctx);
    if (notJson) return notJson;
    const { profile, json, status } = ctx;
    const field = profile.doc.envelope.statusField!;
    const rule = profile.rule(field.rule);
    const actual = getPointer(json, field.pointer);
    // RFC 9457 §3.1.2: the status member is optional, and where present it is the response's status.
    if (actual === undefined && field.optional) return skip(`no ${field.pointer} member: it is optional`);
    return actual === status
      ? pass(`${field.pointer} = ${status}`, { rule })
      : fail(`${field.pointer} is ${JSON.stringify(actual) ?? 'missing'}, the HTTP status is ${status}`, { rule, expected: status, actual: actual ?? null });
  },
});
