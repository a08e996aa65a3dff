import { mkdtempSync } from 'node:fs';
import type http from 'node:http';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Entry } from 'har-format';
import { checkHar } from '../../src/engine/check-har';
import { startMock } from '../../src/mock/server';
import { INVALID_CREDENTIAL, mockCredential } from '../../src/probes/credentials';
import { requestFor } from '../../src/probes/request';
import { loadProfile, vendorIds } from '../../src/profile/load';
import { collectingProxy } from './collecting';
import type { EvaluatedExchange, VendorRun } from '../../src/types';
import { harEntry, send, verdicts, writeHar, type ClientRequest } from '../helpers/har-client';
import { json, startServer, type TestServer } from '../helpers/server';

const TOKEN = 'canary-proxy-token-7c41';

/** Send each request through the proxy, record what the client saw as a HAR, and check that HAR like `errspec check`. */
async function throughProxy(vendor: string, targetUrl: string, requests: ClientRequest[]): Promise<{ proxied: VendorRun; har: VendorRun; entries: Entry[] }> {
  const profile = loadProfile(vendor);
  const proxy = await collectingProxy(profile, { target: targetUrl });
  const entries: Entry[] = [];
  try {
    for (const req of requests) entries.push(harEntry(targetUrl, req, await send(proxy.url, req)));
  } finally {
    await proxy.close();
  }
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'errspec-proxy-har-')), 'traffic.har');
  writeHar(file, entries);
  return { proxied: proxy.run(), har: checkHar(profile, file), entries };
}

/** HAR entry i is the proxy's exchange proxy-(i+1); 2xx entries are not checked by either. */
function expectSameVerdicts(proxied: VendorRun, har: VendorRun): void {
  const checked = har.exchanges.filter((e) => e.response!.status < 200 || e.response!.status >= 300);
  expect(proxied.exchanges.map((e) => e.id)).toEqual(checked.map((e) => `proxy-${e.entry! + 1}`));
  const byId = new Map(proxied.exchanges.map((e) => [e.id, e]));
  for (const entry of checked) {
    const exchange = byId.get(`proxy-${entry.entry! + 1}`) as EvaluatedExchange;
    expect({ id: exchange.id, ...verdicts(exchange) }).toEqual({ id: exchange.id, ...verdicts(entry) });
  }
}

describe('errspec proxy in front of each reference mock', () => {
  test.each(vendorIds())('%s: every probe answered through the proxy gets the verdicts errspec check gives its HAR', async (vendor) => {
    const profile = loadProfile(vendor);
    const plain = profile.probes.filter((p) => !p.burst);
    const burst = profile.probes.find((p) => p.burst);
    // The mock rate-limits once every plain probe is answered, so one more request yields the documented 429.
    const mock = await startMock(profile, burst ? { faults: { rateLimitAfter: plain.length } } : {});
    try {
      const accept = [...profile.doc.envelope.mediaTypes, 'application/json'].join(', ');
      const requests: ClientRequest[] = [...plain, ...(burst ? [burst] : [])].map((probe) => {
        const out = requestFor(probe, '', profile.doc.ids, accept);
        const credential = mockCredential(profile);
        if (probe.auth === 'valid') out.headers[credential.header] = credential.value;
        if (probe.auth === 'invalid') out.headers[credential.header] = credential.header === 'authorization' ? `Bearer ${INVALID_CREDENTIAL}` : INVALID_CREDENTIAL;
        return { method: out.method, path: out.url, headers: out.headers, body: out.body };
      });
      const { proxied, har } = await throughProxy(vendor, mock.url, requests);
      expect(proxied.source).toBe('proxy');
      expect(proxied.exchanges).toHaveLength(requests.length);
      if (burst) expect(proxied.exchanges.at(-1)!.response!.status).toBe(429);
      expectSameVerdicts(proxied, har);
      // The reference mock answers as documented: nothing fails.
      expect(proxied.exchanges.filter((e) => !e.ok).map((e) => e.findings.filter((f) => f.outcome === 'fail'))).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});

/** An OpesCare-like target that breaks the contract in many ways, and compresses and streams some answers. */
function deviant(req: http.IncomingMessage, res: http.ServerResponse): void {
  const opescare = (status: number, error: string, extra: Record<string, unknown> = {}) => ({ error, message: `${error}.`, status, ...extra });
  switch (new URL(req.url ?? '/', 'http://x').pathname) {
    case '/ok':
      return json(res, 200, { id: 'OPC-2024-00001' });
    case '/gzip': {
      const body = zlib.gzipSync(JSON.stringify(opescare(404, 'patient_not_found')));
      res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) });
      return void res.end(body);
    }
    case '/br': {
      const body = zlib.brotliCompressSync(JSON.stringify(opescare(401, 'token_expired')));
      res.writeHead(401, { 'content-type': 'application/json', 'content-encoding': 'br' });
      return void res.end(body);
    }
    case '/wrong-status-field':
      return json(res, 404, opescare(400, 'patient_not_found'));
    case '/code-at-wrong-status':
      return json(res, 400, opescare(400, 'token_expired'));
    case '/no-retry-after':
      return json(res, 429, opescare(429, 'rate_limit_exceeded'));
    case '/bad-retry-after':
      return json(res, 429, opescare(429, 'rate_limit_exceeded'), { 'retry-after': '12.5' });
    case '/html':
      res.writeHead(502, { 'content-type': 'text/html' });
      return void res.end('<html><body>Bad gateway</body></html>');
    case '/invalid-json':
      res.writeHead(400, { 'content-type': 'application/json' });
      return void res.end('{"error": "invalid_request", ');
    case '/chunked': {
      // No content-length: the body streams in pieces.
      res.writeHead(403, { 'content-type': 'application/json' });
      const text = JSON.stringify(opescare(403, 'consent_required'));
      res.write(text.slice(0, 10));
      setImmediate(() => {
        res.write(text.slice(10, 30));
        setImmediate(() => res.end(text.slice(30)));
      });
      return;
    }
    case '/echo-token':
      return json(res, 401, opescare(401, 'token_invalid', { message: `token ${String(req.headers.authorization).replace(/^Bearer /, '')} is revoked` }));
    case '/cookie':
      return json(res, 403, opescare(403, 'invalid_scope'), { 'set-cookie': `session=${TOKEN}; HttpOnly` });
    case '/redirect':
      res.writeHead(302, { location: 'https://elsewhere.invalid/login' });
      return void res.end();
    case '/extra-field':
      return json(res, 404, opescare(404, 'facility_not_found', { hint: 'try another id' }));
    default:
      return json(res, 404, opescare(404, 'unknown_code_here'));
  }
}

describe('errspec proxy in front of a server that deviates from the contract', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer(deviant);
  });
  afterAll(async () => server.close());

  const paths = ['/ok', '/gzip', '/br', '/wrong-status-field', '/code-at-wrong-status', '/no-retry-after', '/bad-retry-after', '/html', '/invalid-json', '/chunked', '/echo-token', '/cookie', '/redirect', '/extra-field', '/nowhere'];
  const requests: ClientRequest[] = paths.map((p, i) => ({
    method: i % 3 === 0 ? 'POST' : 'GET',
    path: `${p}?n=${i}`,
    headers: { authorization: `Bearer ${TOKEN}`, 'accept-encoding': 'gzip, br', ...(i % 3 === 0 ? { 'content-type': 'application/json' } : {}) },
    ...(i % 3 === 0 ? { body: JSON.stringify({ access_token: TOKEN, n: i }) } : {}),
  }));

  test('the proxy gives the verdicts errspec check gives the same traffic recorded as a HAR', async () => {
    const { proxied, har } = await throughProxy('opescare', server.url, requests);
    expectSameVerdicts(proxied, har);
    const failed = (p: string) => proxied.exchanges.find((e) => e.request.url.includes(`${p}?`))!.findings.filter((f) => f.outcome === 'fail').map((f) => f.check);
    expect(failed('/wrong-status-field')).toContain('status-field-matches');
    expect(failed('/code-at-wrong-status')).toContain('code-matches-status');
    expect(failed('/no-retry-after')).toContain('required-headers');
    expect(failed('/bad-retry-after')).toContain('retry-after-syntax');
    expect(failed('/html')).toContain('json-body');
    expect(failed('/invalid-json')).toContain('json-body');
    expect(failed('/gzip')).toEqual([]);
    expect(failed('/br')).toEqual([]);
    expect(failed('/chunked')).toEqual([]);
  });

  test('credentials are redacted in what is recorded, never in what is forwarded', async () => {
    const before = server.requests.length;
    const { proxied } = await throughProxy('opescare', server.url, requests);
    expect(server.requests.slice(before).every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(server.requests.slice(before).filter((r) => r.method === 'POST').every((r) => r.body.includes(TOKEN))).toBe(true);
    const recorded = JSON.stringify(proxied);
    expect(recorded).not.toContain(TOKEN);
    expect(recorded).toContain('Bearer [REDACTED]');
    const echo = proxied.exchanges.find((e) => e.request.url.includes('/echo-token?'))!;
    expect(echo.response!.body).toContain('[REDACTED]');
  });

  test('the client gets every byte of the target\'s answer, compressed or not, whatever the verdict', async () => {
    const profile = loadProfile('opescare');
    const proxy = await collectingProxy(profile, { target: server.url });
    try {
      for (const req of requests) {
        const direct = await send(server.url, req);
        const proxied = await send(proxy.url, req);
        expect(proxied.status).toBe(direct.status);
        expect(proxied.bytes.equals(direct.bytes)).toBe(true);
        expect(proxied.headers['content-encoding']).toEqual(direct.headers['content-encoding']);
        expect(proxied.headers['set-cookie']).toEqual(direct.headers['set-cookie']);
        expect(proxied.headers.location).toEqual(direct.headers.location);
      }
    } finally {
      await proxy.close();
    }
  });
});

describe('errspec proxy when things go wrong', () => {
  test('an unreachable target: the client gets a 502 from the proxy and the run says the target could not be reached', async () => {
    const gone = await startServer((_req, res) => json(res, 200, {}));
    const url = gone.url;
    await gone.close();
    const proxy = await collectingProxy(loadProfile('opescare'), { target: url });
    const res = await send(proxy.url, { method: 'GET', path: '/api/v1/connect/patient/search' });
    const run = await proxy.close();
    expect(res.status).toBe(502);
    expect(res.bytes.toString()).toContain('did not answer');
    expect(run.exchanges).toHaveLength(1);
    expect(run.exchanges[0].transportError?.code).toBe('ECONNREFUSED');
    expect(run.exchanges[0].findings.every((f) => f.outcome === 'error')).toBe(true);
    expect(run.unreachable).toContain('could not be reached');
  });

  test('a gzip bomb passes to the client unchanged while the copy checked stops at the cap', async () => {
    // 64 MiB of zeros gzip to about 64 KiB.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
    const server = await startServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const proxy = await collectingProxy(loadProfile('opescare'), { target: server.url, maxBodyBytes: 1_048_576 });
    try {
      const res = await send(proxy.url, { method: 'GET', path: '/bomb' });
      expect(res.bytes.equals(bomb)).toBe(true);
      const run = await proxy.close();
      const exchange = run.exchanges[0];
      expect(exchange.response!.truncated).toBe(true);
      expect(exchange.response!.body.length).toBeLessThanOrEqual(1_048_576);
      expect(exchange.findings.find((f) => f.check === 'json-body')?.outcome).toBe('fail');
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('a target that breaks off mid-body: the client sees the break, the run records a transport error', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"error": "patient_not_found", ');
      setImmediate(() => res.destroy());
    });
    const proxy = await collectingProxy(loadProfile('opescare'), { target: server.url });
    try {
      await expect(send(proxy.url, { method: 'GET', path: '/broken' })).rejects.toThrow();
      const run = await proxy.close();
      expect(run.exchanges).toHaveLength(1);
      expect(run.exchanges[0].transportError?.code).toBe('BODY_INCOMPLETE');
      expect(run.exchanges[0].ok).toBe(false);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('requests still in flight after the grace period are cut: left out of the report with a note, the clients see the break', async () => {
    // A target that takes requests and never answers.
    const server = await startServer(() => undefined);
    const proxy = await collectingProxy(loadProfile('opescare'), { target: server.url });
    try {
      const pending = [1, 2, 3].map((n) => send(proxy.url, { method: 'GET', path: `/hang?n=${n}` }).then(() => 'answered', () => 'broken'));
      for (let i = 0; i < 100 && server.requests.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.requests).toHaveLength(3);
      const run = await proxy.close({ graceMs: 50 });
      expect(await Promise.all(pending)).toEqual(['broken', 'broken', 'broken']);
      expect(run.exchanges).toEqual([]);
      expect(run.notes).toEqual(['3 requests were still in flight when the proxy stopped and are not in this report']);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('CONNECT and upgrades cannot be inspected: the proxy refuses them with 501 and forwards nothing', async () => {
    const server = await startServer((_req, res) => json(res, 200, {}));
    const proxy = await collectingProxy(loadProfile('opescare'), { target: server.url });
    try {
      const { hostname, port } = new URL(proxy.url);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        httpRequest({ host: hostname, port, method: 'CONNECT', path: 'sandbox.example:443' })
          .on('connect', (res, socket) => {
            socket.destroy();
            resolve(res.statusCode);
          })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(501);
      expect(server.requests).toHaveLength(0);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('a path prefix on the target is kept in front of every path, and absolute-form requests are forwarded by path', async () => {
    const server = await startServer((_req, res) => json(res, 404, { error: 'patient_not_found', message: 'x', status: 404 }));
    const proxy = await collectingProxy(loadProfile('opescare'), { target: `${server.url}/sandbox` });
    try {
      await send(proxy.url, { method: 'GET', path: '/api/v1/connect/facilities/FAC-1?x=%2F' });
      expect(server.requests.at(-1)!.url).toBe('/sandbox/api/v1/connect/facilities/FAC-1?x=%2F');
      // A client using the proxy as its HTTP_PROXY sends an absolute URL: only path and query go on.
      await new Promise<void>((resolve, reject) => {
        const { hostname, port } = new URL(proxy.url);
        const req = httpRequest({ host: hostname, port, path: 'http://elsewhere.invalid/abs?y=1' }, (res) => res.resume().on('end', resolve));
        req.on('error', reject).end();
      });
      expect(server.requests.at(-1)!.url).toBe('/sandbox/abs?y=1');
      const run = await proxy.close();
      expect(run.exchanges[0].request.url).toBe(`${server.url}/sandbox/api/v1/connect/facilities/FAC-1?x=%2F`);
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});
