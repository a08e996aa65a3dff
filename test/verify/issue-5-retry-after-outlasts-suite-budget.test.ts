import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { json, startServer, type TestServer } from '../helpers/server';

/**
 * Regression (issue 5): the suite's beforeAll budget counted request timeouts only, so honouring a
 * Retry-After longer than that budget killed the suite and verify said "did not complete" (exit 2).
 */
describe('a Retry-After wait longer than the request timeouts add up to', () => {
  let server: TestServer | undefined;
  afterAll(async () => server?.close());

  test('is waited out and the run completes with its reports', async () => {
    let seen = 0;
    server = await startServer((_req, res) => {
      if (++seen === 1) return json(res, 429, { error: 'rate_limit_exceeded', message: 'Too many requests.', status: 429 }, { 'retry-after': '12' });
      json(res, 404, { error: 'patient_not_found', message: 'No patient.', status: 404 });
    });
    const report = path.join(mkdtempSync(path.join(os.tmpdir(), 'errspec-issue-5-')), 'report.json');
    // The old budget: 200 ms x (6 probes + 1) + 10 s = 11.4 s, shorter than the 12 s wait.
    const result = await runCli(['verify', '--vendor', 'opescare', '--base-url', server.url, '--token-env', 'TOKEN', '--timeout', '200', '--max-requests', '1', '--json', report], { TOKEN: 'issue-5-token' });
    expect(result.stderr).not.toContain('did not complete');
    expect(result.code).toBe(1);
    const notes = (JSON.parse(readFileSync(report, 'utf8')) as { notes?: string[] }).notes ?? [];
    expect(notes.join('\n')).toContain('honoured Retry-After: waited');
  });
});
