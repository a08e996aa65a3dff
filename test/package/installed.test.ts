import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/cli';

/**
 * errspec as a user gets it (issue 15): packed with `npm pack`, installed into a fresh project with
 * `npm install`, and used there through npx, the library (CommonJS and ESM, types through tsc) and the
 * Jest matcher. npm reads packages from its cache first: the registry is reached only for what it lacks.
 */
jest.setTimeout(600_000);

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command in the user's project, bounded in time; npm and npx from the node that runs the tests. */
function run(command: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, FORCE_COLOR: '0', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const CONFORMANT = { error: 'patient_not_found', message: 'No patient with health ID OPC-2024-99999.', status: 404 };

describe('the installed package, in a fresh project', () => {
  let project: string;
  let tarball: string;
  let packed: string[];

  beforeAll(async () => {
    // npm test builds first; the tarball ships dist/ as built.
    if (!existsSync(path.join(ROOT, 'dist', 'src', 'index.js'))) throw new Error('dist/ is not built: run `npm run build`');
    const packDir = mkdtempSync(path.join(os.tmpdir(), 'errspec-pack-'));
    const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT, encoding: 'utf8' });
    const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(packDir, info.filename);
    packed = info.files.map((f) => f.path);
    project = mkdtempSync(path.join(os.tmpdir(), 'errspec-user-'));
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-portal', version: '1.0.0', private: true }, null, 2));
    const installed = await run('npm', ['install', '--save-dev', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'typescript@~5.9.3', '@types/jest@^30.0.0'], project, 480_000);
    if (installed.code !== 0) throw new Error(`npm install failed (${installed.code}):\n${installed.stderr.slice(-4000)}`);
  });

  test('the tarball holds what runs and no test, CI or bench file', () => {
    expect(packed).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'CHANGELOG.md', 'bin/errspec.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/jest.js', 'dist/src/cli/main.js', 'contracts/vendors/opescare.yaml', 'schemas/profile.schema.json']));
    expect(packed.filter((f) => /^(test|\.ci|bench|dist\/test|dist\/bench|src)\//.test(f))).toEqual([]);
  });

  test('npx errspec verify --all writes JUnit and JSON into the project and exits 0, with no Jest noise', async () => {
    const result = await run('npx', ['errspec', 'verify', '--all', '--junit', 'reports/junit.xml', '--json', 'reports/conformance.json', '--quiet'], project);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(result.stdout).not.toMatch(/Validation Warning|No tests found/);
    const report = JSON.parse(readFileSync(path.join(project, 'reports', 'conformance.json'), 'utf8')) as { runs: { vendor: string; targetKind: string; summary: { failed: number } }[] };
    expect(report.runs.map((r) => [r.vendor, r.targetKind, r.summary.failed])).toEqual(
      ['fhir-r4', 'healthcloud', 'medblocks', 'nhs-england', 'opescare'].map((v) => [v, 'embedded-mock', 0]),
    );
    expect(readFileSync(path.join(project, 'reports', 'junit.xml'), 'utf8')).toContain('<testsuites');
  });

  test('npx errspec check on a HAR, and pact generate writes into ./pacts of the project', async () => {
    copyFileSync(path.join(ROOT, 'test', 'fixtures', 'har', 'opescare.har'), path.join(project, 'capture.har'));
    const checked = await run('npx', ['errspec', 'check', 'capture.har', '--vendor', 'opescare', '--json', 'reports/check.json', '--quiet'], project);
    expect(checked.stderr).toBe('');
    expect([0, 1]).toContain(checked.code);
    expect(JSON.parse(readFileSync(path.join(project, 'reports', 'check.json'), 'utf8'))).toMatchObject({ vendor: 'opescare', targetKind: 'capture' });
    const generated = await run('npx', ['errspec', 'pact', 'generate', '--vendor', 'opescare'], project);
    expect(generated.code).toBe(0);
    expect(existsSync(path.join(project, 'pacts', 'errspec-opescare.json'))).toBe(true);
  });

  test('require() and import of the library, and tsc resolves its types and the matcher\'s', async () => {
    const script = `const r = await m.checkResponse({ vendor: 'opescare', status: 404, headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(JSON.stringify(CONFORMANT))} });
      console.log(JSON.stringify({ ok: r.ok, vendors: m.listVendors().length }));`;
    const cjs = await run(process.execPath, ['-e', `(async () => { const m = require('errspec'); ${script} })()`], project);
    expect(cjs.stdout.trim()).toBe('{"ok":true,"vendors":5}');
    const esm = await run(process.execPath, ['--input-type=module', '-e', `import * as m from 'errspec'; ${script}`], project);
    expect(esm.stdout.trim()).toBe('{"ok":true,"vendors":5}');
    writeFileSync(path.join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', types: ['jest', 'node'], noEmit: true, skipLibCheck: false }, include: ['typed.ts'] }));
    writeFileSync(path.join(project, 'typed.ts'), [
      "import { checkResponse, type CheckResult, type Finding } from 'errspec';",
      "import 'errspec/jest';",
      "export async function f(): Promise<Finding[]> {",
      "  const r: CheckResult = await checkResponse({ vendor: 'opescare', status: 404, body: {} });",
      "  expect({ status: 404, body: {} }).toMatchErrorContract('opescare');",
      '  return r.findings;',
      '}',
    ].join('\n'));
    const tsc = await run('npx', ['tsc', '-p', '.'], project);
    expect({ code: tsc.code, out: tsc.stdout }).toEqual({ code: 0, out: '' });
  });

  test('a Jest test with toMatchErrorContract (one passing, one failing expectation), and the README\'s own-Jest config', async () => {
    mkdirSync(path.join(project, 'tests'), { recursive: true });
    writeFileSync(path.join(project, 'tests', 'errors.test.js'), [
      "require('errspec/jest');",
      `test('conformant', () => { expect({ status: 404, headers: { 'content-type': 'application/json' }, body: ${JSON.stringify(CONFORMANT)} }).toMatchErrorContract('opescare'); });`,
      `test('deviant', () => { expect({ status: 404, headers: { 'content-type': 'application/json' }, body: ${JSON.stringify({ ...CONFORMANT, status: 400 })} }).toMatchErrorContract('opescare'); });`,
    ].join('\n'));
    writeFileSync(path.join(project, 'jest.matcher.config.js'), "module.exports = { testEnvironment: 'node', roots: ['<rootDir>/tests'] };\n");
    const matcher = await run('npx', ['jest', '-c', 'jest.matcher.config.js', '--ci'], project);
    expect(matcher.code).toBe(1);
    expect(matcher.stderr).toContain('✓ conformant');
    expect(matcher.stderr).toContain('✕ deviant');
    expect(matcher.stderr).toContain('HTTP 404 broke 1 check of the opescare error contract:');
    expect(matcher.stderr).toContain('Expected: 404');
    expect(matcher.stderr).toContain('Received: 400');
    expect(matcher.stderr).not.toContain('Validation Warning');

    // The README's "Using your own Jest" configuration, as written there.
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const config = /```js\n(\/\/ jest\.config\.js\n[\s\S]*?)```/.exec(readme);
    expect(config).not.toBeNull();
    writeFileSync(path.join(project, 'jest.config.js'), config![1]);
    const suites = await run('npx', ['jest', '--ci'], project);
    expect(suites.stderr).not.toContain('Validation Warning');
    expect(suites.stderr).toMatch(/Tests:\s+\d+ passed/);
    expect(suites.code).toBe(0);
    expect(readFileSync(path.join(project, 'reports', 'junit.xml'), 'utf8')).toContain('opescare');
  });
});
