import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';
import { startProxyCli, type RunningProxyCli } from '../helpers/proxy-cli';
import { validateJunit } from '../helpers/junit-xsd';
import { send } from '../helpers/har-client';
import { json, startServer } from '../helpers/server';

const startCli = (args: string[]): Promise<RunningProxyCli> => startProxyCli(args);

describe('errspec proxy (command line)', () => {
  let mock: RunningMock;
  beforeAll(async () => {
    mock = await startMock(loadProfile('healthcloud'));
  });
  afterAll(async () => mock.close());

  test('prints one line per error response, and on SIGTERM writes JUnit and JSON reports and exits 0', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-cli-'));
    const junit = path.join(dir, 'junit.xml');
    const report = path.join(dir, 'report.json');
    const proxy = await startCli(['--vendor', 'healthcloud', '--target', mock.url, '--junit', junit, '--json', report]);
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const secret = 'hc-secret-key-0042';
    await send(proxy.url, { method: 'GET', path: '/v1/fhir/Patient/example' });
    await send(proxy.url, { method: 'GET', path: '/v1/fhir/Patient/bad_id', headers: { authorization: `Bearer ${secret}` } });
    await send(proxy.url, { method: 'POST', path: '/v1/webhooks', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body: '{"url": "' });
    proxy.child.kill('SIGTERM');
    expect(await proxy.exit).toBe(0);
    const lines = proxy.stdout().split('\n').filter((l) => / healthcloud proxy-\d+ /.test(l));
    expect(lines).toEqual([
      expect.stringMatching(/^ok +healthcloud proxy-1 GET -> 401/),
      expect.stringMatching(/^ok +healthcloud proxy-2 GET -> 404/),
      expect.stringMatching(/^ok +healthcloud proxy-3 POST -> 400/),
    ]);
    expect(existsSync(junit)).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('name="proxy-2 &gt; envelope-schema"');
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as { source: string; summary: { exchanges: number; failed: number }; exchanges: { id: string }[] };
    expect(parsed.source).toBe('proxy');
    expect(parsed.summary).toMatchObject({ exchanges: 3, failed: 0 });
    expect(parsed.exchanges.map((e) => e.id)).toEqual(['proxy-1', 'proxy-2', 'proxy-3']);
    for (const text of [xml, readFileSync(report, 'utf8'), proxy.stdout(), proxy.stderr()]) expect(text).not.toContain(secret);
  });

  test('a violation exits 1 after SIGINT, and the reports name the failing check', async () => {
    const server = await startServer((_req, res) => json(res, 429, { error: { code: 'RATE_LIMITED', message: 'slow down', requestId: 'r1' } }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-cli-'));
    const junit = path.join(dir, 'junit.xml');
    try {
      const proxy = await startCli(['--vendor', 'healthcloud', '--target', server.url, '--junit', junit]);
      const res = await send(proxy.url, { method: 'GET', path: '/v1/fhir/Patient/example' });
      // The violation (no Retry-After) does not alter what the client gets.
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeUndefined();
      proxy.child.kill('SIGINT');
      expect(await proxy.exit).toBe(1);
      expect(proxy.stdout()).toMatch(/FAIL healthcloud proxy-1 GET -> 429 .*required-headers/);
      expect(readFileSync(junit, 'utf8')).toMatch(/name="proxy-1 &gt; required-headers"[^>]*>\s*<failure/);
    } finally {
      await server.close();
    }
  });

  test('misuse is exit 2 with one line', async () => {
    const { runCli } = await import('../helpers/cli');
    const noTarget = await runCli(['proxy', '--vendor', 'opescare']);
    expect(noTarget.code).toBe(2);
    expect(noTarget.stderr).toContain('--target');
    const badTarget = await runCli(['proxy', '--vendor', 'opescare', '--target', 'ftp://example.invalid']);
    expect(badTarget.code).toBe(2);
    expect(badTarget.stderr).toContain('only http and https');
  });
});
