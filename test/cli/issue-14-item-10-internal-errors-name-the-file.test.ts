import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

/** Issue 14 item 10: errors that said "internal error" without the file name the file and the problem (exit 2). */
describe('issue 14 item 10: bad input names its file', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-bad-yaml-'));

  test('a YAML alias bomb in --config is a config error naming the file, not an internal error', async () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 12; i++) {
      const [n, p] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]`);
    }
    const file = path.join(dir, 'bomb.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['verify', '--vendor', 'opescare', '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('internal error');
    expect(result.stderr.trim()).toBe(`errspec: ${file}: invalid YAML: Excessive alias count indicates a resource exhaustion attack`);
  });

  test('the same bomb as a profile (--vendor FILE) names the file', async () => {
    const file = path.join(dir, 'bomb-profile.yaml');
    writeFileSync(file, 'id: &i [x, x, x, x, x, x, x, x, x, x]\nb: &b [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n');
    const result = await runCli(['verify', '--vendor', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: invalid YAML:`);
    expect(result.stderr).not.toContain('internal error');
  });
});
