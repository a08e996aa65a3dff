import { defineCheck, fail, pass, skip } from './define';

const X_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
// draft-ietf-httpapi-ratelimit-headers: a Structured Fields list of items with parameters, or the older dictionary.
const SF_TOKEN = `(?:"[^"\\\\]*"|[A-Za-z*][A-Za-z0-9_.:/%*+-]*|-?[0-9]+(?:\\.[0-9]+)?)`;
const SF_PARAMS = `(?:\\s*;\\s*[a-z*][a-z0-9_.*-]*(?:=${SF_TOKEN})?)*`;
const SF_MEMBER = `(?:[a-z*][a-z0-9_.*-]*=)?${SF_TOKEN}${SF_PARAMS}`;
const SF_LIST = new RegExp(`^${SF_MEMBER}(?:\\s*,\\s*${SF_MEMBER})*$`);

// Quota units, remaining units, reset and window seconds (and the older dictionary's names) are counts.
const COUNT_PARAMS = /(?:^|[;,]\s*)(q|r|t|w|limit|remaining|reset)=([^;,\s]*)/g;

/** The first count parameter whose value is not a non-negative integer, as `name=value`. */
function nonIntegerCounts(value: string): string | undefined {
  for (const [, name, raw] of value.matchAll(COUNT_PARAMS)) if (!/^[0-9]+$/.test(raw)) return `${name}=${raw}`;
  return undefined;
}

/** Rate-limit headers that are present are well-formed, whether or not the vendor documents them. */
export default defineCheck({
  id: 'rate-limit-headers',
  title: 'Rate-limit headers, where present, are well-formed',
  appliesTo: (_profile, status) => status === 429,
  rules: () => ['x-ratelimit.integer', 'ietf-ratelimit.header-syntax'],
  run: ({ profile, headers }) => {
    const present = X_HEADERS.filter((h) => headers[h] !== undefined);
    const ietf = ['ratelimit', 'ratelimit-policy'].filter((h) => headers[h] !== undefined);
    if (present.length === 0 && ietf.length === 0) return skip('no rate-limit headers in the response');
    const xRule = profile.rule('x-ratelimit.integer');
    for (const name of present) {
      if (!/^[0-9]+$/.test(headers[name].trim())) {
        return fail(`${name} "${headers[name]}" is not a non-negative integer`, { rule: xRule, expected: 'digits', actual: headers[name] });
      }
    }
    const limit = Number(headers['x-ratelimit-limit']);
    const remaining = Number(headers['x-ratelimit-remaining']);
    if (present.includes('x-ratelimit-limit') && present.includes('x-ratelimit-remaining') && remaining > limit) {
      return fail(`X-RateLimit-Remaining ${remaining} exceeds X-RateLimit-Limit ${limit}`, { rule: xRule, expected: `<= ${limit}`, actual: remaining });
    }
    const ietfRule = profile.rule('ietf-ratelimit.header-syntax');
    for (const name of ietf) {
      if (!SF_LIST.test(headers[name].trim())) {
        return fail(`${name} "${headers[name]}" is not a Structured Fields list`, { rule: ietfRule, expected: 'e.g. "default";r=0;t=12', actual: headers[name] });
      }
      const bad = nonIntegerCounts(headers[name]);
      if (bad) return fail(`${name} "${headers[name]}": ${bad} is not a non-negative integer`, { rule: ietfRule, expected: 'q, r, t and w as non-negative integers', actual: headers[name] });
    }
    return pass([...present, ...ietf].map((h) => `${h}: ${headers[h]}`).join(', '), { rule: present.length > 0 ? xRule : ietfRule });
  },
});
