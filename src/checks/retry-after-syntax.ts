import { parseRetryAfter } from '../util/retry-after';
import { defineCheck, fail, pass, skip, warn } from './define';

const ONE_HOUR = 3600;

/** Retry-After, wherever it appears, follows RFC 9110 §10.2.3; clients sleep on it. */
export default defineCheck({
  id: 'retry-after-syntax',
  title: 'Retry-After is delay-seconds or an HTTP-date (RFC 9110)',
  // Wherever the header appears (413, 503, 3xx, any error): a client sleeps on it. Absent, the check skips.
  appliesTo: () => true,
  rules: () => ['rfc9110.retry-after-syntax', 'rfc9110.retry-after-bound'],
  run: ({ profile, headers }) => {
    const raw = headers['retry-after'];
    const rule = profile.rule('rfc9110.retry-after-syntax');
    if (raw === undefined) return skip('no Retry-After header');
    const parsed = parseRetryAfter(raw);
    if (parsed.kind === 'invalid') return fail(`Retry-After ${parsed.reason}`, { rule, expected: 'delay-seconds (1*DIGIT) or IMF-fixdate', actual: raw });
    if (parsed.kind === 'date' && parsed.obsolete) {
      return warn(`Retry-After "${raw}" uses an obsolete HTTP-date form; senders generate IMF-fixdate`, { rule, expected: 'IMF-fixdate', actual: raw });
    }
    const dateHeader = headers['date'] ? Date.parse(headers['date']) : Number.NaN;
    const seconds = parsed.kind === 'seconds'
      ? parsed.seconds
      : Number.isNaN(dateHeader) ? undefined : Math.round((parsed.date.getTime() - dateHeader) / 1000);
    if (seconds !== undefined && seconds > ONE_HOUR) {
      return warn(`Retry-After asks for ${seconds} s, over one hour`, { rule: profile.rule('rfc9110.retry-after-bound'), expected: `<= ${ONE_HOUR} s`, actual: raw });
    }
    return pass(`Retry-After: ${raw}`, { rule });
  },
});
