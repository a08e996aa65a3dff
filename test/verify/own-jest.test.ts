import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, runCli } from '../helpers/cli';

/** testcase name -> outcome, the part of a JUnit file that must not depend on how the suites were run. */
function verdicts(junit: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of junit.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[4] ?? '';
    out[`${m[1]} ${m[2]}`] = body.includes('<failure') ? 'fail' : body.includes('<error') ? 'error' : body.includes('<skipped') ? 'skip' : 'pass';
  }
  return out;
}

test("a user's own Jest pointed at suites/ with errspec's reporter gets the same JUnit as errspec verify", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-own-jest-'));
  const viaVerify = path.join(dir, 'verify.xml');
  const viaJest = path.join(dir, 'jest.xml');
  const verify = await runCli(['verify', '--vendor', 'healthcloud', '--junit', viaVerify, '--quiet']);
  expect(verify.code).toBe(0);

  const config = path.join(dir, 'jest.config.js');
  writeFileSync(config, `module.exports = ${JSON.stringify({
    rootDir: ROOT,
    roots: [path.join(ROOT, 'dist', 'suites')],
    testMatch: ['**/healthcloud.conformance.test.js'],
    transform: {},
    reporters: [[path.join(ROOT, 'dist', 'reporters', 'jest-reporter.js'), { junit: viaJest, resultsDir: path.join(dir, 'runs') }]],
  })};\n`);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--config', config], {
      cwd: dir,
      env: { ...process.env, ERRSPEC_RESULTS_DIR: path.join(dir, 'runs'), ERRSPEC_VERIFY: '' },
      stdio: 'ignore',
    });
    child.on('close', resolve);
  });
  expect(code).toBe(0);
  const expected = verdicts(readFileSync(viaVerify, 'utf8'));
  expect(Object.keys(expected).length).toBeGreaterThan(10);
  expect(verdicts(readFileSync(viaJest, 'utf8'))).toEqual(expected);
});
