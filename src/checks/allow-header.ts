import { defineCheck, pass, warn } from './define';

/** RFC 9110 §15.5.6: a 405 lists the methods the resource supports; no vendor restates it, so its absence warns. */
export default defineCheck({
  id: 'allow-header',
  title: 'A 405 carries Allow (RFC 9110)',
  appliesTo: (_profile, status) => status === 405,
  rules: () => ['rfc9110.allow'],
  run: ({ profile, headers }) => {
    const rule = profile.rule('rfc9110.allow');
    const value = headers['allow'];
    if (value === undefined) return warn('405 without Allow: the methods the target supports are not listed', { rule, expected: 'Allow: <methods>', actual: null });
    return pass(`Allow: ${value}`, { rule });
  },
});
