import { defineCheck, fail, pass, skip, warn, type CheckResult } from './define';
import { quoted } from '../profile/profile';
import type { HeaderRuleDef } from '../profile/types';
import type { RuleRef } from '../types';

/** Headers the vendor promises at a status (Retry-After and X-RateLimit-* on 429), with their formats. */
export default defineCheck({
  id: 'required-headers',
  title: 'Headers documented for this status are present and well-formed',
  appliesTo: (profile, status) => profile.headerRules(status).length > 0,
  run: ({ profile, status, headers }) => {
    const rules = profile.headerRules(status);
    if (rules.length === 0) return skip(`no header is documented at ${status}`);
    const results = rules.map((def) => checkHeader(def, headers, { id: def.id, ...profile.cite(def.source), text: def.text, ...quoted(def) }));
    const failed = results.find((r) => r.outcome === 'fail');
    if (failed) return failed;
    const warned = results.find((r) => r.outcome === 'warn');
    if (warned) return warned;
    return pass(results.map((r) => r.message).join('; '), { rule: results[0].rule });
  },
});

function checkHeader(def: HeaderRuleDef, headers: Record<string, string>, rule: RuleRef): CheckResult {
  const value = headers[def.name.toLowerCase()];
  if (value === undefined) {
    const message = `${def.name} is missing`;
    return def.required
      ? fail(`${message}; the vendor promises it`, { rule, expected: `${def.name} header`, actual: null })
      : warn(`${message} (the vendor does not promise it)`, { rule, expected: `${def.name} header`, actual: null });
  }
  if (def.equals !== undefined && value.trim() !== def.equals) {
    return fail(`${def.name} is ${value}, expected ${def.equals}`, { rule, expected: def.equals, actual: value });
  }
  if ((def.format === 'integer' || def.format === 'epoch-seconds') && !/^[0-9]+$/.test(value.trim())) {
    return fail(`${def.name} "${value}" is not a non-negative integer`, { rule, expected: 'digits', actual: value });
  }
  if (def.format === 'epoch-seconds' && Number(value) < 1_000_000_000) {
    return fail(`${def.name} ${value} looks like a delay, not epoch seconds`, { rule, expected: 'Unix epoch seconds', actual: value });
  }
  if (def.format === 'epoch-seconds') {
    // The window a 429 announces resets after the answer was sent: compare with the response's own Date, never the clock.
    const date = headers['date'] === undefined ? Number.NaN : Date.parse(headers['date']);
    if (!Number.isNaN(date) && Number(value) * 1000 <= date) {
      const when = new Date(Number(value) * 1000).toISOString();
      return fail(`${def.name} ${value} (${when}) is not after the response Date (${headers['date']}): the window it announces has already reset`, {
        rule, expected: `epoch seconds after ${Math.floor(date / 1000)}`, actual: value,
      });
    }
  }
  return pass(`${def.name}: ${value}`, { rule });
}
