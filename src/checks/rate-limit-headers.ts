import { parseDictionary, parseList } from 'structured-headers';
import { defineCheck, fail, pass, skip } from './define';

const X_HEADERS = ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
/** Parameters of each field's items that count (draft-ietf-httpapi-ratelimit-headers -10: remaining, reset; quota, window). */
const COUNTS: Record<string, { required: string; counts: string[] }> = {
  ratelimit: { required: 'r', counts: ['r', 't'] },
  'ratelimit-policy': { required: 'q', counts: ['q', 'w'] },
};
/** Members of the older drafts' dictionary form (`limit=100, remaining=0, reset=12`). */
const OLD_DICTIONARY = ['limit', 'remaining', 'reset'];

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * What is wrong with a RateLimit or RateLimit-Policy value, parsed as RFC 9651 Structured Fields by
 * `structured-headers`: a List of policy items (`"default";r=50;t=30`), or the older drafts' Dictionary.
 */
export function ietfRateLimitProblem(name: 'ratelimit' | 'ratelimit-policy', value: string): string | undefined {
  let items: [unknown, Map<string, unknown>][];
  try {
    items = parseList(value) as [unknown, Map<string, unknown>][];
  } catch {
    try {
      const dictionary = parseDictionary(value);
      const members = [...dictionary.entries()];
      if (members.length === 0 || members.some(([key]) => !OLD_DICTIONARY.includes(key))) return 'is not a Structured Fields list';
      const bad = members.find(([, [item]]) => !isCount(item));
      return bad ? `${bad[0]}=${String(bad[1][0])} is not a non-negative integer` : undefined;
    } catch {
      return 'is not a Structured Fields list';
    }
  }
  if (items.length === 0) return 'is an empty list';
  const { required, counts } = COUNTS[name];
  for (const [item, params] of items) {
    if (Array.isArray(item)) return 'holds an inner list where a policy item belongs';
    if (!params.has(required)) return `has a policy item without ${required}=`;
    for (const param of counts) {
      if (params.has(param) && !isCount(params.get(param))) return `${param}=${String(params.get(param))} is not a non-negative integer`;
    }
  }
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
    for (const name of ietf as ('ratelimit' | 'ratelimit-policy')[]) {
      const problem = ietfRateLimitProblem(name, headers[name]);
      const expected = name === 'ratelimit' ? 'e.g. "default";r=0;t=12 (r and t non-negative integers)' : 'e.g. "default";q=100;w=60 (q and w non-negative integers)';
      if (problem) return fail(`${name} "${headers[name]}" ${problem}`, { rule: ietfRule, expected, actual: headers[name] });
    }
    return pass([...present, ...ietf].map((h) => `${h}: ${headers[h]}`).join(', '), { rule: present.length > 0 ? xRule : ietfRule });
  },
});
