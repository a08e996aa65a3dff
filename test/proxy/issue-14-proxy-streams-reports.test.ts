import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Pool } from 'undici';
import { loadProfile } from '../../src/profile/load';
import { startProxy } from '../../src/proxy/server';
import { renderHtml } from '../../reporters/html';
import { StreamedHtml } from '../../reporters/html-stream';
import { runSummary } from '../../src/engine/summary';
import { startProxyCli } from '../helpers/proxy-cli';
import { fixedRun, hostileRun, passingRun, unreachableRun } from '../helpers/runs';
import { json, startServer, type TestServer } from '../helpers/server';

const profile = loadProfile('opescare');

/** An OpesCare-like target: documented 404s, and every tenth answer a 404 whose status field disagrees (a failure). */
function errors(req: { url?: string }, res: Parameters<typeof json>[0]): void {
  const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
  json(res, 404, { error: 'patient_not_found', message: `no patient ${n}`, status: n % 10 === 0 ? 400 : 404 });
}

/** `count` GET requests through the proxy, `concurrency` at a time, each with one of `tokens` bearer tokens (bodies read whole). */
async function load(url: string, from: number, count: number, tokens = 20, concurrency = 8): Promise<void> {
  const pool = new Pool(url, { connections: concurrency });
  let next = from;
  const end = from + count;
  try {
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < end) {
        const n = next++;
        const res = await pool.request({ method: 'GET', path: `/api/v1/connect/patient/search?health_id=OPC-${n}&n=${n}`, headers: { authorization: `Bearer token-${n % tokens}-canary` } });
        await res.body.arrayBuffer();
      }
    }));
  } finally {
    await pool.close();
  }
}

describe('issue 14 item 7: errspec proxy streams its findings and keeps nothing per exchange', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((req, res) => errors(req, res));
  });
  afterAll(async () => server.close());

  test('what the proxy holds after 2,000 error exchanges is what it held after 200; every exchange reached onExchange once', async () => {
    let handed = 0;
    // Every 10th exchange watched: once the proxy has handed it over, nothing of the proxy's may keep it alive.
    const watched: WeakRef<object>[] = [];
    const proxy = await startProxy(profile, { target: server.url, onExchange: (e) => {
      if (handed++ % 10 === 0) watched.push(new WeakRef(e));
    } });
    try {
      await load(proxy.url, 0, 200);
      const after200 = proxy.retained();
      await load(proxy.url, 200, 1800);
      const after2000 = proxy.retained();
      expect(handed).toBe(2000);
      expect(proxy.run().summary.exchanges).toBe(2000);
      // One redactor per distinct token (20), no notes, nothing in flight: the same after ten times the exchanges.
      expect(after200).toBe(20);
      expect(after2000).toBe(after200);
      expect(watched).toHaveLength(200);
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
      expect(watched.filter((w) => w.deref() !== undefined)).toHaveLength(0);
      // Many distinct tokens: the redactors kept for them stay bounded.
      await load(proxy.url, 2000, 500, 500);
      expect(proxy.retained()).toBeLessThanOrEqual(64);
      const head = await proxy.close();
      expect(head.failed).toBe(true);
      expect(head.summary.exchanges).toBe(2500);
    } finally {
      await proxy.close();
    }
  });

  test('errspec proxy ends 1,500 error exchanges with complete JSON, JUnit, HTML and Markdown reports, and no part files left', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-stream-'));
    const file = (name: string) => path.join(dir, name);
    const { child, url, exit, stdout: stdoutOf, stderr: stderrOf } = await startProxyCli(['--vendor', 'opescare', '--target', server.url, '--json', file('r.json'), '--junit', file('r.xml'), '--html', file('r.html'), '--summary', file('r.md')], { GITHUB_STEP_SUMMARY: '' });
    await load(url, 0, 1500);
    child.kill('SIGINT');
    expect(await exit).toBe(1);

    const report = JSON.parse(readFileSync(file('r.json'), 'utf8')) as { summary: { exchanges: number; failed: number }; exchanges: { id: string; ok: boolean }[] };
    expect(report.exchanges).toHaveLength(1500);
    expect(new Set(report.exchanges.map((e) => e.id)).size).toBe(1500);
    expect(report.summary.exchanges).toBe(1500);
    expect(report.exchanges.filter((e) => !e.ok)).toHaveLength(150);
    expect(report.summary.failed).toBe(150);
    const xml = readFileSync(file('r.xml'), 'utf8');
    expect(xml.match(/<testcase /g)?.length).toBe(runSummaryChecks(report));
    expect(xml.match(/<failure /g)?.length).toBe(150);
    const html = readFileSync(file('r.html'), 'utf8');
    expect(html.match(/<tr class="(clean|failing)">/g)?.length).toBe(1500);
    expect(html.match(/<details class="exchange"/g)?.length).toBe(150);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    const markdown = readFileSync(file('r.md'), 'utf8');
    expect(markdown).toContain('| `opescare` | ❌ failed | 1500 |');
    expect(markdown).toContain('### Failing checks (150)');
    expect(markdown).toContain('…and 120 more');
    // Progress is bounded: at most a few hundred lines per quarter second, the rest counted.
    const [stdout, stderr] = [stdoutOf(), stderrOf()];
    expect(stdout.split('\n').filter((l) => / opescare proxy-\d+ /.test(l)).length).toBeGreaterThan(0);
    for (const text of [xml, html, markdown, JSON.stringify(report), stdout, stderr]) expect(text).not.toMatch(/token-\d+-canary/);
    expect(readdirSync(dir).sort()).toEqual(['r.html', 'r.json', 'r.md', 'r.xml']);
  });
});

/** A full garbage collection (V8's gc exposed at run time: the test holds no flag of its own). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Checks in the JSON report: every finding of every exchange is one JUnit testcase. */
function runSummaryChecks(report: { exchanges: unknown[] }): number {
  return (report.exchanges as { findings: unknown[] }[]).reduce((n, e) => n + e.findings.length, 0);
}

describe('the streamed HTML page is the page renderHtml writes for the same run', () => {
  test.each([['fixed', fixedRun()], ['passing', passingRun()], ['unreachable', unreachableRun()], ['hostile', hostileRun()]])('%s run', (_name, run) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-html-stream-'));
    const page = new StreamedHtml(path.join(dir, 'report.html'));
    for (const exchange of run.exchanges) page.add(exchange);
    page.finish({ ...run, summary: runSummary(run), failed: run.exchanges.some((e) => !e.ok) });
    expect(readFileSync(path.join(dir, 'report.html'), 'utf8')).toBe(renderHtml([run]));
    expect(readdirSync(dir)).toEqual(['report.html']);
  });
});
