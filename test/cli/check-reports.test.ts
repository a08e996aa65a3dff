import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, runCli } from '../helpers/cli';

/** A HAR with one conformant and one non-conformant opescare error, and a 2xx entry. */
function harFile(dir: string): string {
  const entry = (url: string, status: number, mimeType: string, text: string) => ({
    startedDateTime: '2026-11-22T15:00:00.000Z',
    time: 3,
    request: { method: 'GET', url, httpVersion: 'HTTP/1.1', headers: [{ name: 'Authorization', value: 'Bearer s3cr3t-token-value' }], queryString: [], cookies: [], headersSize: -1, bodySize: 0 },
    response: { status, statusText: '', httpVersion: 'HTTP/1.1', headers: [{ name: 'Content-Type', value: mimeType }], cookies: [], content: { size: text.length, mimeType, text }, redirectURL: '', headersSize: -1, bodySize: -1 },
    cache: {},
    timings: { send: 0, wait: 3, receive: 0 },
  });
  const file = path.join(dir, 'traffic.har');
  writeFileSync(file, JSON.stringify({
    log: {
      version: '1.2',
      creator: { name: 'test', version: '1' },
      entries: [
        entry('http://127.0.0.1:4010/api/v1/connect/patient/search?health_id=OPC-2024-00001', 401, 'application/json', '{"error":"token_expired","message":"expired","status":401}'),
        entry('http://127.0.0.1:4010/api/v1/connect/patient/OPC-2024-99999', 404, 'text/html', '<html><script>alert(1)</script></html>'),
        entry('http://127.0.0.1:4010/api/v1/connect/patient/OPC-2024-00001', 200, 'application/json', '{}'),
      ],
    },
  }));
  return file;
}

describe('errspec check reports', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-check-reports-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes --html and --summary, appends to GITHUB_STEP_SUMMARY, and prints plain text to a pipe', async () => {
    const html = path.join(dir, 'report.html');
    const summary = path.join(dir, 'summary.md');
    const step = path.join(dir, 'step.md');
    const result = await runCli(['check', harFile(dir), '--vendor', 'opescare', '--html', html, '--summary', summary], { GITHUB_STEP_SUMMARY: step });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('FAIL opescare entry-1 GET -> 404  media-type, json-body');
    expect(result.stdout).toContain(`wrote ${html}\nwrote ${summary}\n`);
    expect(result.stdout).not.toContain('\x1b[');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<h1>errspec conformance report: opescare</h1>');
    expect(page).toContain('&lt;html&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;/html&gt;');
    expect(page).not.toContain('s3cr3t-token-value');
    const markdown = readFileSync(summary, 'utf8');
    expect(markdown).toContain('| `opescare` | `entry-1` | `media-type` | fail |');
    expect(readFileSync(step, 'utf8')).toBe(markdown);
  });

  it('--quiet prints only the summary table', async () => {
    const result = await runCli(['check', harFile(dir), '--vendor', 'opescare', '--quiet', '--html', path.join(dir, 'r.html')], { GITHUB_STEP_SUMMARY: '' });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n')[0]).toMatch(/^vendor\s+exchanges\s+checks/);
    expect(result.stdout).not.toMatch(/FAIL|wrote/);
  });

  it('colours when forced (as on a terminal)', async () => {
    // runCli pins FORCE_COLOR=0, so this one spawns the CLI itself.
    const stdout = await new Promise<string>((resolve) => {
      execFile(process.execPath, [BIN, 'check', harFile(dir), '--vendor', 'opescare'], { env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '1' } }, (_error, out) => resolve(out));
    });
    expect(stdout).toContain('\x1b[31mFAIL\x1b[0m');
  });
});
