import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfile, vendorIds } from '../../src/profile/load';
import { runVendor } from '../../src/verify/run-vendor';
import { runCli } from '../helpers/cli';
import { json, startServer, type TestServer } from '../helpers/server';

const TOKEN_ENV = 'ERRSPEC_WRITES_TOKEN';
const SKIP_MESSAGE = 'creates data on the target: run with --allow-writes to send it';

/** Every built-in probe that creates data on the target, by vendor. */
const writing = vendorIds().flatMap((vendor) => loadProfile(vendor).probes.filter((p) => p.writes).map((p) => ({ vendor, probe: p.id, method: p.method, path: p.path })));

describe('probes that create data run only with --allow-writes', () => {
  let server: TestServer;
  beforeAll(async () => {
    process.env[TOKEN_ENV] = 'writes-token-77e1';
    // Any answer will do: what matters is which requests arrive.
    server = await startServer((_req, res) => json(res, 409, { error: 'conflict' }));
  });
  afterAll(async () => {
    delete process.env[TOKEN_ENV];
    await server.close();
  });

  test('the built-in contracts have such probes (else this test proves nothing)', () => {
    expect(writing.length).toBeGreaterThan(0);
  });

  test.each(writing)('$vendor $probe is skipped, with a message, and never sent', async ({ vendor, probe, method, path: probePath }) => {
    const before = server.requests.length;
    const run = await runVendor(vendor, { resultsDir: mkdtempSync(path.join(os.tmpdir(), 'errspec-writes-')), baseUrl: server.url, credential: { tokenEnv: TOKEN_ENV }, timeoutMs: 5000 });
    const exchange = run.exchanges.find((e) => e.id === probe)!;
    expect(exchange.response).toBeUndefined();
    expect(exchange.transportError).toBeUndefined();
    expect(exchange.findings.length).toBeGreaterThan(0);
    expect(exchange.findings.every((f) => f.outcome === 'skip' && f.message === SKIP_MESSAGE)).toBe(true);
    const sent = server.requests.slice(before);
    expect(sent.length).toBeGreaterThan(0); // the other probes were sent
    const prefix = probePath.split('{')[0].split('?')[0];
    expect(sent.filter((r) => r.method === method && r.url.startsWith(prefix) && r.body === (loadProfile(vendor).probes.find((p) => p.id === probe)!.body ?? ''))).toEqual([]);
  });

  test.each(writing)('$vendor $probe is sent with allowWrites', async ({ vendor, probe, method }) => {
    const before = server.requests.length;
    const run = await runVendor(vendor, { resultsDir: mkdtempSync(path.join(os.tmpdir(), 'errspec-writes-')), baseUrl: server.url, credential: { tokenEnv: TOKEN_ENV }, timeoutMs: 5000, allowWrites: true });
    const exchange = run.exchanges.find((e) => e.id === probe)!;
    expect(exchange.response?.status).toBe(409);
    expect(exchange.findings.some((f) => f.outcome !== 'skip')).toBe(true);
    expect(server.requests.slice(before).some((r) => r.method === method)).toBe(true);
  });

  test('through the CLI: the JSON report shows the skip and its reason; --allow-writes sends it', async () => {
    const { vendor, probe } = writing[0];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-writes-cli-'));
    const report = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { exchanges: { id: string; response: unknown; findings: { outcome: string; message: string }[] }[] };
    const [off, on] = await Promise.all([
      runCli(['verify', '--vendor', vendor, '--json', path.join(dir, 'off.json')]),
      runCli(['verify', '--vendor', vendor, '--allow-writes', '--json', path.join(dir, 'on.json')]),
    ]);
    expect(off.stdout).toMatch(new RegExp(`SKIP ${vendor} ${probe} .*not sent: ${SKIP_MESSAGE}`));
    const skipped = report('off.json').exchanges.find((e) => e.id === probe)!;
    expect(skipped.response).toBeNull();
    expect(skipped.findings.every((f) => f.outcome === 'skip' && f.message === SKIP_MESSAGE)).toBe(true);
    expect(on.stdout).not.toContain(SKIP_MESSAGE);
    // Against the embedded mock: the probe is answered as the profile's mock answers it.
    const mockStatus = loadProfile(vendor).probes.find((p) => p.id === probe)!.mock.status;
    expect(report('on.json').exchanges.find((e) => e.id === probe)!.response).toEqual(expect.objectContaining({ status: mockStatus }));
  });
});
