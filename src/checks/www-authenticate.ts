import { defineCheck, pass, warn } from './define';

/** RFC 9110 §15.5.2: a 401 carries a challenge; no vendor document restates it, so its absence warns. */
export default defineCheck({
  id: 'www-authenticate',
  title: 'A 401 carries WWW-Authenticate (RFC 9110)',
  appliesTo: (_profile, status) => status === 401,
  rules: () => ['rfc9110.www-authenticate'],
  run: ({ profile, headers }) => {
    const rule = profile.rule('rfc9110.www-authenticate');
    const value = headers['www-authenticate'];
    if (value === undefined || value.trim() === '') {
      return warn('401 without WWW-Authenticate: a client cannot tell which scheme to retry with', { rule, expected: 'WWW-Authenticate: <challenge>', actual: null });
    }
    return pass(`WWW-Authenticate: ${value}`, { rule });
  },
});
