import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { startProxyCli } from '../helpers/proxy-cli';
import { send } from '../helpers/har-client';
import { json, startServer, type TestServer } from '../helpers/server';

describe('issue 14 item 10: errspec proxy checks its report paths before the first request', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((_req, res) => json(res, 404, { error: 'patient_not_found', message: 'x', status: 404 }));
  });
  afterAll(async () => server.close());

  // Under a regular file no folder can be made; a folder cannot be replaced by a report.
  test.each([
    ['--json', (dir: string) => path.join(dir, 'file', 'report.json')],
    ['--junit', (dir: string) => path.join(dir, 'file', 'junit.xml')],
    ['--html', (dir: string) => dir],
    ['--summary', (dir: string) => path.join(dir, 'file', 'summary.md')],
  ])('an unwritable %s path is exit 2 with one line, and the proxy never listens', async (option, where) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-path-'));
    writeFileSync(path.join(dir, 'file'), 'not a folder');
    // A proxy that listened would wait for a signal: the time limit is only there so a regression fails rather than hangs.
    const result = await runCli(['proxy', '--vendor', 'opescare', '--target', server.url, option, where(dir)], {}, { timeoutMs: 20_000 });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${option} `)]);
    expect(result.stderr).toContain('cannot write the report there');
    expect(result.stdout).not.toContain('listening on');
    expect(server.requests).toHaveLength(0);
  });

  test('a report that cannot be written at the end is exit 2 naming it, and the other reports are still written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-path-'));
    const report = path.join(dir, 'report.json');
    const junit = path.join(dir, 'junit.xml');
    const { child, url, stderr: stderrOf, exit } = await startProxyCli(['--vendor', 'opescare', '--target', server.url, '--json', report, '--junit', junit]);
    await send(url, { method: 'GET', path: '/api/v1/connect/patient/search?health_id=OPC-2024-00001' });
    // A folder where the JSON report goes: the report cannot be renamed into place.
    mkdirSync(report);
    child.kill('SIGTERM');
    expect(await exit).toBe(2);
    expect(stderrOf()).toContain(`--json ${report}: the report could not be written`);
    expect(stderrOf()).toContain(`written: ${junit}`);
    expect(existsSync(junit)).toBe(true);
    expect(readFileSync(junit, 'utf8')).toContain('name="proxy-1 &gt; envelope-schema"');
  });
});
