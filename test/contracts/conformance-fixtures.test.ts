import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SchemaViolation } from '../../src/checks/define';
import { checks, reportableRules } from '../../src/checks';
import { evaluate } from '../../src/engine/evaluate';
import { loadProfile, vendorIds } from '../../src/profile/load';
import type { Profile } from '../../src/profile/profile';
import type { EvaluatedExchange, Finding } from '../../src/types';
import { exchangeOf } from '../helpers/exchange';
import { cases as fhirR4 } from '../fixtures/contracts/fhir-r4';
import { cases as healthcloud } from '../fixtures/contracts/healthcloud';
import { cases as medblocks } from '../fixtures/contracts/medblocks';
import { cases as nhsEngland } from '../fixtures/contracts/nhs-england';
import { cases as opescare } from '../fixtures/contracts/opescare';
import type { ContractCase } from '../fixtures/contracts/types';

const fixtures: Record<string, ContractCase[]> = {
  opescare,
  medblocks,
  'nhs-england': nhsEngland,
  'fhir-r4': fhirR4,
  healthcloud,
};

/**
 * Headers a conformant answer carries unless a case says otherwise: the vendor's media type, and HTTP's own
 * MUSTs (a challenge on 401, Allow on 405; the reference mock adds both). A case drops one by setting it to ''.
 */
function headersOf(profile: Profile, status: number, own: Record<string, string> = {}): Record<string, string> {
  const defaults: Record<string, string> = { 'content-type': profile.doc.envelope.mediaTypes[0] };
  if (status === 401) defaults['www-authenticate'] = 'Bearer realm="fixture"';
  if (status === 405) defaults['allow'] = 'GET';
  return Object.fromEntries(Object.entries({ ...defaults, ...own }).filter(([, v]) => v !== ''));
}

/** The case as an exchange. */
function run(profile: Profile, c: ContractCase): EvaluatedExchange {
  const headers = headersOf(profile, c.status, c.headers);
  const probe = c.probe === undefined ? undefined : profile.probes.find((p) => p.id === c.probe);
  if (c.probe !== undefined && !probe) throw new Error(`${profile.id} has no probe ${c.probe}`);
  const extra = probe ? { id: probe.id, expectedStatuses: probe.expect.status, expectedCodes: probe.expect.codes, basis: probe.basis } : c.exchangeId ? { id: c.exchangeId } : {};
  return evaluate(profile, exchangeOf(c.status, c.body, headers, extra));
}

/** The rule ids a finding names: its own, and for envelope-schema each violation's. */
function rulesOf(finding: Finding): string[] {
  const violations = (finding as Finding & { violations?: SchemaViolation[] }).violations ?? [];
  return [finding.rule?.id, ...violations.map((v) => v.rule)].filter((id): id is string => id !== undefined);
}

const describeFinding = (f: Finding): string => `${f.outcome} ${f.check} [${rulesOf(f).join(', ')}]: ${f.message}`;
const failing = (ex: EvaluatedExchange): Finding[] => ex.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error');
const warning = (ex: EvaluatedExchange): Finding[] => ex.findings.filter((f) => f.outcome === 'warn');

/** Rule ids the checks name literally (`profile.rule('rfc9110.retry-after-syntax')`), by check file. */
function literalCheckRules(): Map<string, string[]> {
  const dir = path.join(__dirname, '..', '..', 'src', 'checks');
  const byFile = new Map<string, string[]>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const ids = [...readFileSync(path.join(dir, file), 'utf8').matchAll(/profile\.rule\('([^']+)'\)/g)].map((m) => m[1]);
    if (ids.length > 0) byFile.set(file, ids);
  }
  return byFile;
}

/** Every rule id a check can report for this profile: each needs a violating fixture. */
function producibleRules(profile: Profile): Set<string> {
  return new Set(reportableRules(profile));
}

test('every rule a check names literally is declared in its `rules`, so no vendor misses its fixture', () => {
  const undeclared: string[] = [];
  for (const [file, ids] of literalCheckRules()) {
    const check = checks.find((c) => `${c.id}.ts` === file);
    const declared = new Set(vendorIds().flatMap((v) => [...(check?.rules?.(loadProfile(v)) ?? []), ...loadProfile(v).ruleIdsInUse()]));
    undeclared.push(...ids.filter((id) => !declared.has(id)).map((id) => `${file}: ${id}`));
  }
  expect(undeclared).toEqual([]);
});

const violatedRule = (c: ContractCase): string | undefined =>
  c.expect === 'pass' ? undefined : 'fails' in c.expect ? c.expect.fails : c.expect.warns;

test('every built-in vendor has a fixture file', () => {
  expect(Object.keys(fixtures).sort()).toEqual(vendorIds());
});

describe.each(Object.keys(fixtures))('%s contract', (vendor) => {
  const profile = loadProfile(vendor);
  const cases = fixtures[vendor];

  test('case descriptions are unique', () => {
    const seen = cases.map((c) => c.description);
    expect(seen.filter((d, i) => seen.indexOf(d) !== i)).toEqual([]);
  });

  test.each(cases.map((c) => [c.description, c] as const))('%s', (_description, c) => {
    const result = run(profile, c);
    const report = result.findings.map(describeFinding);
    const warnedRules = [...new Set(warning(result).flatMap(rulesOf))].sort();
    if (c.expect === 'pass') {
      // A pass is a pass: no failure and no warning.
      expect([...failing(result), ...warning(result)].map(describeFinding)).toEqual([]);
    } else if ('fails' in c.expect) {
      const failedRules = [...new Set(failing(result).flatMap(rulesOf))];
      if (!failedRules.includes(c.expect.fails)) throw new Error(`expected a failure of ${c.expect.fails}; findings:\n${report.join('\n')}`);
      // ...and only of that rule: an unrelated check failing too would hide a wrong verdict.
      expect(failedRules.sort()).toEqual([...new Set([c.expect.fails, ...(c.expect.alsoFails ?? [])])].sort());
    } else {
      // A warning case is otherwise conformant: what the seed leaves open never fails.
      expect(failing(result).map(describeFinding)).toEqual([]);
      if (!warnedRules.includes(c.expect.warns)) throw new Error(`expected a warning of ${c.expect.warns}; findings:\n${report.join('\n')}`);
      expect(warnedRules).toEqual([...new Set([c.expect.warns, ...(c.expect.alsoWarns ?? [])])].sort());
    }
  });

  test('every rule the profile can report has a violating fixture', () => {
    const violated = new Set(cases.map(violatedRule).filter((id): id is string => id !== undefined));
    expect([...producibleRules(profile)].filter((id) => !violated.has(id)).sort()).toEqual([]);
  });

  test('fixtures name only rules the profile can report', () => {
    const producible = producibleRules(profile);
    expect([...new Set(cases.map(violatedRule))].filter((id) => id !== undefined && !producible.has(id))).toEqual([]);
  });

  test.each(profile.probes.map((p) => [p.id, p] as const))('the reference mock answer of probe %s conforms', (_id, probe) => {
    const exchange = exchangeOf(probe.mock.status, probe.mock.body, headersOf(profile, probe.mock.status, probe.mock.headers), {
      id: probe.id,
      expectedStatuses: probe.expect.status,
      expectedCodes: probe.expect.codes,
      basis: probe.basis,
    });
    const result = evaluate(profile, exchange);
    // The mock raises no warning against its own contract (`verify --all --strict` exits 0).
    expect([...failing(result), ...warning(result)].map(describeFinding)).toEqual([]);
    const code = result.findings.find((f) => f.check === 'known-code');
    if (probe.expect.codes && code?.outcome === 'pass') expect(probe.expect.codes).toContain(code.rule!.id.slice(`${vendor}.code.`.length));
  });
});
