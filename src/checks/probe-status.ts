import { defineCheck, fail, pass } from './define';

/** The probe was built to provoke a documented error: did the target answer with that status? */
export default defineCheck({
  id: 'probe-status',
  title: 'The probe is answered with the status the vendor documents for it',
  appliesTo: (_profile, _status, exchange) => exchange === undefined || exchange.expectedStatuses !== undefined,
  run: ({ profile, exchange, status }) => {
    const expected = exchange.expectedStatuses ?? [];
    const probe = profile.probes.find((p) => p.id === exchange.id);
    const rule = probe ? profile.rule(probe.rule) : profile.rule(profile.doc.statusRule);
    return expected.includes(status)
      ? pass(`answered ${status} as documented`, { rule })
      : fail(`expected HTTP ${expected.join(' or ')}, got ${status}`, { rule, expected, actual: status });
  },
});
