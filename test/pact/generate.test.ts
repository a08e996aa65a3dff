import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { ConsumerRejectedError, recordProbeInteraction, vendorPact } from '../../src/pact/consumer';
import type { PactFile, PactInteraction } from '../../src/pact/files';
import { loadProfile, vendorIds } from '../../src/profile/load';
import { ROOT, runCli } from '../helpers/cli';

const committedDir = path.join(ROOT, 'contracts', 'pacts');
const readPact = (file: string): PactFile => JSON.parse(readFileSync(file, 'utf8')) as PactFile;
const committed = (vendor: string): PactFile => readPact(path.join(committedDir, `errspec-${vendor}.json`));
const tempDir = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), prefix));

type Rules = Record<string, Record<string, { matchers: Record<string, unknown>[] }>>;
const rulesOf = (interaction: PactInteraction): Rules => (interaction.response.matchingRules ?? {}) as Rules;
const byProbe = (pact: PactFile, probe: string): PactInteraction => {
  const found = pact.interactions.find((i) => i.description.startsWith(`${probe}: `));
  if (!found) throw new Error(`no interaction for ${probe} in ${pact.provider.name}`);
  return found;
};

describe('errspec pact generate', () => {
  test('regenerates exactly the committed pacts, one interaction per probe of every vendor', async () => {
    const out = tempDir('errspec-pact-gen-');
    const result = await runCli(['pact', 'generate', '--out', out]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(readdirSync(out).sort()).toEqual(vendorIds().map((v) => `errspec-${v}.json`));
    for (const vendor of vendorIds()) {
      const pact = readPact(path.join(out, `errspec-${vendor}.json`));
      // A stale committed pact means a profile changed without `errspec pact generate`.
      expect({ vendor, pact }).toEqual({ vendor, pact: committed(vendor) });
      const probes = loadProfile(vendor).probes;
      expect(pact.consumer.name).toBe('errspec');
      expect(pact.provider.name).toBe(vendor);
      expect(pact.interactions.map((i) => i.description.split(':')[0]).sort()).toEqual(probes.map((p) => p.id).sort());
      expect(result.stdout).toContain(`errspec-${vendor}.json (${probes.length} interactions)`);
      for (const probe of probes) {
        const interaction = byProbe(pact, probe.id);
        expect(interaction.providerStates).toEqual([{ name: probe.state }]);
        expect(interaction.response.status).toBe(probe.mock.status);
      }
    }
  });

  test('the 429 carries a delay-seconds Retry-After matcher where the vendor promises Retry-After, and only there', () => {
    for (const vendor of ['opescare', 'healthcloud']) {
      const rateLimited = byProbe(committed(vendor), 'rate-limited');
      expect(rateLimited.response.status).toBe(429);
      expect(rulesOf(rateLimited).header['Retry-After'].matchers).toEqual([{ match: 'regex', regex: '^[0-9]+$' }]);
    }
    for (const vendor of ['medblocks', 'nhs-england']) {
      const rateLimited = byProbe(committed(vendor), 'rate-limited');
      expect(rateLimited.response.status).toBe(429);
      expect(Object.keys(rateLimited.response.headers ?? {}).map((h) => h.toLowerCase())).not.toContain('retry-after');
    }
  });

  test('codes are a regex of the codes allowed at the status, types and request ids match by type', () => {
    const opescare = committed('opescare');
    expect(rulesOf(byProbe(opescare, 'unknown-patient')).body['$.error'].matchers).toEqual([{ match: 'regex', regex: '^(patient_not_found|facility_not_found)$' }]);
    expect(rulesOf(byProbe(opescare, 'unknown-patient')).body['$.status'].matchers).toEqual([{ match: 'equality' }]);
    // opescare documents no code at 400: any string.
    expect(rulesOf(byProbe(opescare, 'malformed-body')).body['$.error'].matchers).toEqual([{ match: 'type' }]);

    const medblocks = rulesOf(byProbe(committed('medblocks'), 'missing-credential')).body;
    expect(medblocks['$.error.code'].matchers).toEqual([{ match: 'regex', regex: '^(missing_api_key|not_authenticated)$' }]);
    expect(medblocks['$.error.type'].matchers).toEqual([{ match: 'regex', regex: '^(authentication_error)$' }]);
    expect(medblocks['$.error.request_id'].matchers).toEqual([{ match: 'type' }]);

    const healthcloud = rulesOf(byProbe(committed('healthcloud'), 'rate-limited'));
    expect(healthcloud.body['$.error.requestId'].matchers).toEqual([{ match: 'type' }]);
    expect(healthcloud.header['X-RateLimit-Reset'].matchers).toEqual([{ match: 'regex', regex: '^[0-9]+$' }]);

    // NHS: the Spine code sits in a coding the issue list must contain, under one of the accepted systems.
    const nhs = JSON.stringify(rulesOf(byProbe(committed('nhs-england'), 'unknown-patient')).body);
    expect(nhs).toContain('arrayContains');
    expect(nhs).toContain('^(RESOURCE_NOT_FOUND)$');
    expect(nhs).toContain('R4/CodeSystem/Spine-ErrorOrWarningCode');
  });

  test('credentials in the pacts are public samples, never a user credential', () => {
    for (const vendor of vendorIds()) {
      for (const interaction of committed(vendor).interactions) {
        const auth = Object.entries(interaction.request.headers ?? {}).find(([h]) => h.toLowerCase() === 'authorization')?.[1];
        if (auth !== undefined) expect([['Bearer errspec-mock-credential'], ['Bearer errspec-invalid-credential']]).toContainEqual(auth);
      }
    }
  });

  test('--consumer names the consumer and the file; --vendor limits the vendors', async () => {
    const out = tempDir('errspec-pact-consumer-');
    const result = await runCli(['pact', 'generate', '--consumer', 'acme-portal', '--vendor', 'opescare', '--out', out]);
    expect(result.code).toBe(0);
    expect(readdirSync(out)).toEqual(['acme-portal-opescare.json']);
    const pact = readPact(path.join(out, 'acme-portal-opescare.json'));
    expect(pact.consumer.name).toBe('acme-portal');
    expect(pact.interactions).toEqual(committed('opescare').interactions);
  });

  test('a consumer name that is not a file name is a usage error', async () => {
    const result = await runCli(['pact', 'generate', '--consumer', '../evil', '--out', tempDir('errspec-pact-bad-')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--consumer');
  });

  test('no pact is written for an interaction errspec does not accept', async () => {
    // A profile whose documented 404 says status 400 in its body: the pact can state it, errspec rejects it.
    const doc = parse(readFileSync(path.join(ROOT, 'contracts', 'vendors', 'opescare.yaml'), 'utf8')) as { probes: { id: string; mock: { body: { status: number } } }[] };
    doc.probes.find((p) => p.id === 'unknown-patient')!.mock.body.status = 400;
    const dir = tempDir('errspec-pact-reject-');
    const profileFile = path.join(dir, 'opescare-drifted.yaml');
    writeFileSync(profileFile, stringify(doc));
    const profile = loadProfile(profileFile);
    const probe = profile.probes.find((p) => p.id === 'unknown-patient')!;
    const rejected = recordProbeInteraction(vendorPact(profile, 'errspec', dir), profile, probe);
    await expect(rejected).rejects.toBeInstanceOf(ConsumerRejectedError);
    await expect(rejected).rejects.toThrow(/status-field-matches/);
    expect(existsSync(path.join(dir, 'errspec-opescare.json'))).toBe(false);
  });
});

test('the Jest consumer suites in suites/pact write the same pacts as errspec pact generate', async () => {
  const dir = tempDir('errspec-pact-suites-');
  const config = path.join(dir, 'jest.config.js');
  writeFileSync(config, `module.exports = ${JSON.stringify({
    rootDir: ROOT,
    roots: [path.join(ROOT, 'dist', 'suites', 'pact')],
    testMatch: ['**/*.pact.test.js'],
    transform: {},
    testEnvironment: 'node',
  })};\n`);
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', config, '--runInBand', '--ci', '--verbose'], {
      cwd: dir,
      env: { ...process.env, ERRSPEC_PACT_DIR: path.join(dir, 'pacts'), ERRSPEC_PACT_CONSUMER: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    child.on('close', resolve);
  });
  const text = output.join('');
  // The Jest output is in the failure message when the suites fail.
  expect({ code, output: code === 0 ? '' : text }).toEqual({ code: 0, output: '' });
  expect(text).toContain('unknown-patient > pact-interaction');
  for (const vendor of vendorIds()) expect(readPact(path.join(dir, 'pacts', `errspec-${vendor}.json`))).toEqual(committed(vendor));
});

describe('pact with a user profile (issue 16)', () => {
  const PDS = path.join(ROOT, 'test', 'fixtures', 'profiles', 'pds.errspec.yaml');

  test('pact generate --profile writes the user profile\'s pact, and pact verify verifies it against its embedded mock', async () => {
    const out = tempDir('errspec-pact-profile-');
    const generated = await runCli(['pact', 'generate', '--profile', PDS, '--vendor', 'pds', '--out', out]);
    expect({ code: generated.code, stderr: generated.stderr }).toEqual({ code: 0, stderr: '' });
    const pact = readPact(path.join(out, 'errspec-pds.json'));
    expect(pact.provider.name).toBe('pds');
    expect(pact.interactions.map((i) => i.description.split(':')[0]).sort()).toEqual(loadProfile(PDS).probes.map((p) => p.id).sort());
    const json = path.join(out, 'verify.json');
    const verified = await runCli(['pact', 'verify', '--profile', PDS, '--vendor', 'pds', '--dir', out, '--json', json, '--quiet']);
    expect({ code: verified.code, stderr: verified.stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(readFileSync(json, 'utf8')) as { vendor: string; targetKind: string; summary: { failed: number; passed: number } };
    expect(report).toMatchObject({ vendor: 'pds', targetKind: 'embedded-mock', summary: { failed: 0 } });
    expect(report.summary.passed).toBeGreaterThan(0);
  }, 180_000);
});
