import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import type { EvaluatedExchange, VendorRun } from '../../src/types';
import { runVendor } from '../../src/verify/run-vendor';
import { runCli } from '../helpers/cli';
import { validateJunit } from '../helpers/junit-xsd';
import { envelope, gzipBomb, httpFault, opescareAnswer, pour, selfSignedCertificate, tcpFault, type FaultServer } from './fault-servers';

const TOKEN_ENV = 'ERRSPEC_FAULTS_TOKEN';
const TOKEN = 'faults-token-8c1f0a5e';
const TIMEOUT_MS = 1500;
/** Small in-process cap so the size faults are quick; the CLI runs use the default 1 MiB. */
const CAP = 64 * 1024;
const MiB = 1024 * 1024;

interface Expectation {
  check: string;
  outcome: 'fail' | 'error';
  message: RegExp;
}

interface Fault {
  name: string;
  start: () => Promise<FaultServer>;
  /** What the first probe (missing-credential, GET, documented 401) must yield. */
  expect: Expectation[];
  /** The recorded body was cut at the cap. */
  truncated?: boolean;
}

const answer401 = (headers: Record<string, string | number>) => (res: import('node:http').ServerResponse) => res.writeHead(401, headers);

const faults: Fault[] = [
  {
    name: 'accepts the connection and never answers',
    start: () => tcpFault((socket: net.Socket) => socket.resume()),
    expect: [{ check: 'probe-status', outcome: 'error', message: /^TIMEOUT: no response within 1500 ms/ }],
  },
  {
    name: 'resets the connection',
    start: () => tcpFault((socket: net.Socket) => socket.once('data', () => socket.resetAndDestroy())),
    expect: [{ check: 'probe-status', outcome: 'error', message: /reset by the target|closed the connection/ }],
  },
  {
    name: 'sends headers then stalls the body',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json', 'content-length': 200 })(res);
      res.write('{"error": "tok');
    }),
    expect: [{ check: 'probe-status', outcome: 'error', message: /^TIMEOUT: the response body did not complete within 1500 ms/ }],
  },
  {
    name: 'trickles an endless body one byte at a time (never idle long enough for an idle timeout)',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json' })(res);
      const timer = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(timer));
    }),
    expect: [{ check: 'probe-status', outcome: 'error', message: /^TIMEOUT: the response body did not complete within 1500 ms/ }],
  },
  {
    name: 'sends a 50 MB body',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json', 'content-length': 50 * MiB })(res);
      pour(res, Buffer.alloc(64 * 1024, 0x20), 50 * MiB);
    }),
    expect: [{ check: 'json-body', outcome: 'fail', message: /exceeded the size cap/ }],
    truncated: true,
  },
  {
    name: 'sends an endless chunked body',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json' })(res);
      pour(res, Buffer.from('{"error":"token_invalid"}'.repeat(2000)));
    }),
    expect: [{ check: 'json-body', outcome: 'fail', message: /exceeded the size cap/ }],
    truncated: true,
  },
  {
    name: 'sends a gzip bomb (Content-Encoding: gzip, inflating far past the cap)',
    start: async () => {
      const bomb = gzipBomb(16 * MiB);
      return httpFault((_req, res) => {
        answer401({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length })(res);
        res.end(bomb);
      });
    },
    expect: [{ check: 'json-body', outcome: 'fail', message: /exceeded the size cap/ }],
    truncated: true,
  },
  {
    name: 'claims Content-Encoding: gzip for a body that is not gzip',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json', 'content-encoding': 'gzip' })(res);
      res.end(envelope(401, 'token_invalid'));
    }),
    expect: [{ check: 'probe-status', outcome: 'error', message: /^BAD_CONTENT_ENCODING: the body does not decode as its Content-Encoding says/ }],
  },
  {
    name: 'sends invalid JSON',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json' })(res);
      res.end('{"error": "token_invalid", "message": ');
    }),
    expect: [{ check: 'json-body', outcome: 'fail', message: /body is not JSON: invalid JSON/ }],
  },
  {
    name: 'sends an HTML error page',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'text/html; charset=utf-8' })(res);
      res.end('<!doctype html><html><body><h1>401 Authorization Required</h1><hr>nginx</body></html>');
    }),
    expect: [
      { check: 'media-type', outcome: 'fail', message: /got text\/html/ },
      { check: 'json-body', outcome: 'fail', message: /body is not JSON: invalid JSON/ },
    ],
  },
  {
    name: 'sends a body that is not UTF-8',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json' })(res);
      res.end(Buffer.from([0x7b, 0x22, 0x65, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x80, 0x7d]));
    }),
    expect: [{ check: 'json-body', outcome: 'fail', message: /body is not JSON: invalid JSON/ }],
  },
  {
    name: 'sends response headers larger than any client accepts',
    start: () => httpFault((_req, res) => {
      answer401({ 'content-type': 'application/json', 'x-padding': 'p'.repeat(128 * 1024) })(res);
      res.end(envelope(401, 'token_invalid'));
    }),
    expect: [{ check: 'probe-status', outcome: 'error', message: /headers are larger than errspec accepts/ }],
  },
];

const settingsFor = (baseUrl: string) => ({
  resultsDir: mkdtempSync(path.join(os.tmpdir(), 'errspec-faults-')),
  baseUrl,
  credential: { tokenEnv: TOKEN_ENV },
  timeoutMs: TIMEOUT_MS,
  maxBodyBytes: CAP,
});

const firstProbe = (run: VendorRun): EvaluatedExchange => run.exchanges.find((e) => e.id === 'missing-credential')!;

function expectFindings(exchange: EvaluatedExchange, expected: Expectation[]): void {
  for (const e of expected) {
    expect(exchange.findings).toEqual(expect.arrayContaining([expect.objectContaining({ check: e.check, outcome: e.outcome, message: expect.stringMatching(e.message) })]));
  }
}

beforeAll(() => {
  process.env[TOKEN_ENV] = TOKEN;
});
afterAll(() => {
  delete process.env[TOKEN_ENV];
});

describe('a hostile target yields failed or errored checks and the run completes (runVendor)', () => {
  test.concurrent.each(faults)('$name', async (fault) => {
    const server = await fault.start();
    try {
      const run = await runVendor('opescare', settingsFor(server.url));
      // Every probe that needs no opt-in was sent and recorded: the run went on past the fault.
      expect(run.exchanges.map((e) => e.id)).toEqual(['missing-credential', 'invalid-credential', 'unknown-patient', 'unknown-facility', 'malformed-body', 'rate-limited']);
      const exchange = firstProbe(run);
      expectFindings(exchange, fault.expect);
      expect(exchange.ok).toBe(false);
      for (const e of run.exchanges) expect((e.response?.body.length ?? 0) <= CAP).toBe(true);
      if (fault.truncated) {
        expect(exchange.response?.truncated).toBe(true);
        expect(Buffer.byteLength(exchange.response!.body)).toBeLessThanOrEqual(CAP * 3); // U+FFFD may triple a byte
        expect(exchange.response!.body.length).toBeLessThanOrEqual(CAP);
      }
      expect(JSON.stringify(run)).not.toContain(TOKEN);
    } finally {
      await server.close();
    }
  });

  test('a redirect to another host is recorded as is, never followed, and no credential reaches that host', async () => {
    const elsewhere = await httpFault(opescareAnswer);
    const redirecting = await httpFault((req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${req.url}`, 'content-type': 'text/plain' });
      res.end('moved');
    });
    try {
      const run = await runVendor('opescare', settingsFor(redirecting.url));
      const exchange = firstProbe(run);
      expect(exchange.response?.status).toBe(302);
      expect(exchange.response?.headers.location).toContain(elsewhere.url);
      expectFindings(exchange, [{ check: 'probe-status', outcome: 'fail', message: /expected HTTP 401, got 302/ }]);
      expect(redirecting.requests).toBe(5);
      expect(elsewhere.requests).toBe(0);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  test('a redirect loop costs one request per probe', async () => {
    const looping = await httpFault((req, res) => {
      res.writeHead(307, { location: req.url ?? '/' });
      res.end();
    });
    try {
      const run = await runVendor('opescare', settingsFor(looping.url));
      expectFindings(firstProbe(run), [{ check: 'probe-status', outcome: 'fail', message: /expected HTTP 401, got 307/ }]);
      expect(looping.requests).toBe(5);
    } finally {
      await looping.close();
    }
  });
});

interface JsonReport {
  exchanges: { id: string; response: { status: number; headers: Record<string, string> } | null; transportError?: { code: string; message: string }; findings: { check: string; outcome: string; message: string }[] }[];
}

async function verifyCli(url: string, extra: string[] = []) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-faults-cli-'));
  const json = path.join(dir, 'report.json');
  const junit = path.join(dir, 'junit.xml');
  const result = await runCli(
    ['verify', '--vendor', 'opescare', '--base-url', url, '--token-env', TOKEN_ENV, '--timeout', String(TIMEOUT_MS), '--json', json, '--junit', junit, ...extra],
    { [TOKEN_ENV]: TOKEN },
  );
  if (!existsSync(junit)) throw new Error(`no JUnit report; exit ${result.code}\n${result.stdout}\n${result.stderr}`);
  const xml = readFileSync(junit);
  const xsd = await validateJunit(xml);
  expect(xsd.errors).toEqual([]);
  expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'report.json']); // no temp file left behind
  const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  expect(`${result.stdout}${result.stderr}${xml.toString()}${JSON.stringify(report)}`).not.toContain(TOKEN);
  return { ...result, report, junit: xml.toString() };
}

const cliFinding = (report: JsonReport, probe: string, check: string) => report.exchanges.find((e) => e.id === probe)?.findings.find((f) => f.check === check);

describe('errspec verify against hostile targets: exit 1, reports written and valid', () => {
  const byName = (name: string) => faults.find((f) => f.name.startsWith(name))!;
  test.concurrent.each(['accepts the connection', 'resets the connection', 'sends a 50 MB body', 'sends a gzip bomb', 'sends an HTML error page'])('%s', async (name) => {
    const fault = byName(name);
    const server = await fault.start();
    try {
      const { code, report, junit, stderr } = await verifyCli(server.url);
      expect(stderr).toBe('');
      expect(code).toBe(1);
      const expected = fault.expect[0];
      expect(cliFinding(report, 'missing-credential', expected.check)).toEqual(expect.objectContaining({ outcome: expected.outcome, message: expect.stringMatching(expected.message) }));
      expect(junit).toContain(`name="missing-credential &gt; ${expected.check}"`);
      expect(report.exchanges).toHaveLength(6);
    } finally {
      await server.close();
    }
  });

  test.concurrent('a redirect to another host fails probe-status; the other host sees no request', async () => {
    const elsewhere = await httpFault(opescareAnswer);
    const redirecting = await httpFault((req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${req.url}` });
      res.end();
    });
    try {
      const { code, report } = await verifyCli(redirecting.url);
      expect(code).toBe(1);
      expect(cliFinding(report, 'missing-credential', 'probe-status')?.message).toBe('expected HTTP 401, got 302');
      expect(report.exchanges[0].response?.headers.location).toContain(elsewhere.url);
      expect(elsewhere.requests).toBe(0);
    } finally {
      await Promise.all([elsewhere.close(), redirecting.close()]);
    }
  });

  describe('TLS with a self-signed certificate', () => {
    let tls: { key: string; cert: string };
    beforeAll(() => {
      tls = selfSignedCertificate();
    });

    test.concurrent('is refused by default with a message that names the problem and the way out', async () => {
      const server = await httpFault(opescareAnswer, tls);
      const { code, report, stderr } = await verifyCli(server.url).finally(() => server.close());
      expect(code).toBe(1);
      expect(stderr).toBe('');
      const sent = report.exchanges.filter((e) => e.transportError);
      expect(sent).toHaveLength(5);
      for (const e of sent) expect(e.transportError?.message).toMatch(/^TLS certificate of the target is not trusted \(self[- ]signed certificate\).*--insecure/);
      expect(server.requests).toBe(0);
    });

    test.concurrent('is accepted with --insecure, with a warning line', async () => {
      const server = await httpFault(opescareAnswer, tls);
      const { code, report, stderr } = await verifyCli(server.url, ['--insecure']).finally(() => server.close());
      expect(server.requests).toBe(5);
      expect(stderr).toBe('errspec: warning: --insecure: TLS certificates of the target are not verified\n');
      expect(report.exchanges.every((e) => !e.transportError)).toBe(true);
      expect(cliFinding(report, 'missing-credential', 'probe-status')?.outcome).toBe('pass');
      expect(code).toBe(0);
    });
  });
});
