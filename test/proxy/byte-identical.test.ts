import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { loadProfile } from '../../src/profile/load';
import { collectingProxy, type CollectingProxy } from './collecting';
import { send, type ClientRequest, type ClientResponse } from '../helpers/har-client';

const REQUESTS = 200;
const STATUSES = [200, 201, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 503];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** Deterministic bytes for request n: the same answer every time it is asked. */
function bytesFor(n: number, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = (n + 1) * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** Answers request n the same way whoever asks: varied statuses, reasons, repeated headers, compression and framing. */
function answer(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): void {
  const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n'));
  const status = STATUSES[n % STATUSES.length];
  res.sendDate = false;
  const size = [0, 17, 4096, 70_000, 300_000][n % 5];
  let payload = n % 4 === 0 ? Buffer.from(JSON.stringify({ error: 'x', message: `answer ${n}`, status })) : bytesFor(n, size);
  const headers: [string, string][] = [
    ['Date', 'Sun, 22 Nov 2026 15:00:00 GMT'],
    ['Content-Type', n % 4 === 0 ? 'application/json' : 'application/octet-stream'],
    ['X-Request-Body-SHA256', createHash('sha256').update(body).digest('hex')],
    ['X-Request-Headers', JSON.stringify(Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'x-via'].includes(k))))],
    ['Set-Cookie', `a=${n}; Path=/`],
    ['Set-Cookie', `b=${n}; HttpOnly`],
    ['X-Mixed-Case', `value-${n}`],
  ];
  if (n % 3 === 0) {
    payload = zlib.gzipSync(payload);
    headers.push(['Content-Encoding', 'gzip']);
  }
  if (status === 429) headers.push(['Retry-After', String(n)]);
  if (status === 301) headers.push(['Location', `https://elsewhere.invalid/${n}`]);
  const noBody = status === 204 || req.method === 'HEAD';
  // Half the answers are chunked (no content-length), half framed by length.
  if (n % 2 === 0 && !noBody) headers.push(['Content-Length', String(payload.length)]);
  res.writeHead(status, n % 5 === 0 ? `Reason ${n}` : undefined, headers.flat());
  if (noBody || status === 204) return void res.end();
  // Written in pieces, so the proxy streams rather than sees one chunk.
  const step = Math.max(1, Math.ceil(payload.length / 3));
  let at = 0;
  const next = (): void => {
    if (at >= payload.length) return void res.end();
    res.write(payload.subarray(at, at + step));
    at += step;
    setImmediate(next);
  };
  next();
}

const comparable = (res: ClientResponse) => {
  // Framing and connection headers belong to each hop; everything else must be identical.
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding']);
  const headers: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) if (!hop.has(res.rawHeaders[i].toLowerCase())) headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return { status: res.status, statusText: res.statusText, headers, sha256: createHash('sha256').update(res.bytes).digest('hex'), length: res.bytes.length };
};

describe('a client making 200 requests through errspec proxy', () => {
  let server: http.Server;
  let target: string;
  let proxy: CollectingProxy;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => answer(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    proxy = await collectingProxy(loadProfile('opescare'), { target });
  });

  afterAll(async () => {
    await proxy.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('sees byte-identical responses (status, reason, headers, body) to asking the target directly', async () => {
    const requestFor = (n: number): ClientRequest => {
      const method = METHODS[n % METHODS.length];
      const hasBody = ['POST', 'PUT', 'PATCH'].includes(method);
      return {
        method,
        path: `/resource/${n}?n=${n}&q=a%20b`,
        headers: { 'x-trace': `t-${n}`, 'accept-encoding': 'gzip', ...(hasBody ? { 'content-type': 'application/octet-stream' } : {}) },
        ...(hasBody ? { body: bytesFor(n + 1000, (n * 997) % 50_000).toString('latin1') } : {}),
      };
    };
    // Four clients at a time: the proxy streams concurrent exchanges without mixing them up.
    const mismatches: unknown[] = [];
    for (let start = 0; start < REQUESTS; start += 4) {
      await Promise.all([0, 1, 2, 3].map(async (k) => {
        const n = start + k;
        const req = requestFor(n);
        const [direct, proxied] = await Promise.all([send(target, req), send(proxy.url, req)]);
        const a = comparable(direct);
        const b = comparable(proxied);
        if (JSON.stringify(a) !== JSON.stringify(b)) mismatches.push({ n, direct: a, proxied: b });
      }));
    }
    expect(mismatches).toEqual([]);
    expect(proxy.requests).toBe(REQUESTS);
    // Every non-2xx answer was checked; 2xx ones only passed through.
    const errors = Array.from({ length: REQUESTS }, (_, n) => STATUSES[n % STATUSES.length]).filter((s) => s < 200 || s >= 300).length;
    // A copy is checked after its response has passed: close() waits for the last checks.
    expect((await proxy.close()).exchanges).toHaveLength(errors);
  });
});
