import { defineCheck, fail, isError, pass } from './define';

/** Every documented envelope is JSON: an HTML page or a truncated body breaks every client's error parsing. */
export default defineCheck({
  id: 'json-body',
  title: 'The error body is JSON',
  appliesTo: (_profile, status) => isError(status),
  run: ({ profile, json, jsonError, exchange }) => {
    const rule = profile.rule(profile.doc.envelope.mediaTypeRule);
    if (json !== undefined) return pass('body is JSON', { rule });
    const body = exchange.response?.body ?? '';
    return fail(`body is not JSON: ${jsonError ?? 'empty body'}`, {
      rule, expected: 'a JSON error envelope', actual: body.length > 200 ? `${body.slice(0, 200)}…` : body,
    });
  },
});
