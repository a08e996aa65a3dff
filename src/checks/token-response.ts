import { readTokenBody } from '../auth/token-response';
import { defineCheck, fail, pass } from './define';

/** Exchange id of the OAuth token request (src/auth/session.ts records it under this id). */
export const TOKEN_EXCHANGE = 'oauth-token';

/** A 2xx answer of the token endpoint carries a usable token (RFC 6749 §5.1). */
export default defineCheck({
  id: 'token-response',
  title: 'A successful token response carries a usable access token (RFC 6749)',
  appliesTo: (_profile, status, exchange) => exchange?.id === TOKEN_EXCHANGE && status >= 200 && status < 300,
  rules: (profile) => (profile.doc.auth.tokenEndpoint ? ['rfc6749.token-response'] : []),
  run: ({ profile, status, exchange }) => {
    const rule = profile.rule('rfc6749.token-response');
    const read = readTokenBody(status, exchange.response?.body ?? '');
    if ('problem' in read) return fail(read.problem, { rule, expected: 'a JSON object with access_token and token_type Bearer', actual: exchange.response?.body.slice(0, 200) ?? null });
    return pass('the token response carries an access token', { rule });
  },
});
