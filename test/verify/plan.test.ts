import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { ConfigInvalidError } from '../../src/errors';
import { loadProfile } from '../../src/profile/load';
import { planVendor } from '../../src/verify/plan';

const OPENAPI = path.join(__dirname, '..', 'fixtures', 'openapi', 'opescare.yaml');

const configFile = (text: string): string => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'errspec-plan-')), 'errspec.yaml');
  writeFileSync(file, text);
  return file;
};

describe('the plan runVendor and the Jest suite share', () => {
  const profile = loadProfile('opescare');

  test('without --openapi: the profile\'s probes, nothing more', () => {
    const plan = planVendor(profile, {}, undefined);
    expect(plan.probes.map((p) => p.id)).toEqual(profile.probes.map((p) => p.id));
    expect(plan).toMatchObject({ mockProbes: [], document: [], notes: [] });
  });

  test('with --openapi: derived probes only, which the mock is told to answer', () => {
    const plan = planVendor(profile, { openapiFile: OPENAPI, maxProbes: 50 }, undefined);
    expect(plan.probes.some((p) => profile.probes.some((q) => q.id === p.id))).toBe(false);
    expect(plan.mockProbes).toEqual(plan.probes);
  });

  test('config ids and probe overrides apply to derived probes by their ids', () => {
    const file = configFile([
      'vendors:',
      '  opescare:',
      '    ids: { unknownFacilityId: FAC-99999 }',
      '    probes:',
      '      connect-consents-undeclared-get: { skip: true }',
      '      get-facility-no-credential: { headers: { x-extra: "1" } }',
    ].join('\n'));
    const plan = planVendor(profile, { openapiFile: OPENAPI, configFile: file }, loadConfig(file));
    expect(plan.probes.find((p) => p.id === 'connect-consents-undeclared-get')!.skippedByConfig).toBe(true);
    expect(plan.probes.find((p) => p.id === 'get-facility-no-credential')!.headers).toEqual({ 'x-extra': '1' });
    expect(plan.ids.unknownFacilityId).toBe('FAC-99999');
  });

  test('an override naming no profile or derived probe is a configuration error', () => {
    const file = configFile('vendors:\n  opescare:\n    probes:\n      no-such-probe: { skip: true }\n');
    expect(() => planVendor(profile, { openapiFile: OPENAPI, configFile: file }, loadConfig(file))).toThrow(ConfigInvalidError);
  });
});
