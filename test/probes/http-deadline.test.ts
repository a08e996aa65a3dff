import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { send } from '../../src/probes/http';

/** A request's deadline comes from a reused controller: each request still gets its own, and an interruption still stops it. */
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    if (req.url === '/trickle') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"a":');
      return; // the body never ends
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string, timeoutMs = 5000, signal?: AbortSignal) => send({ method: 'GET', url: `${base}${path}`, headers: {} }, { timeoutMs, maxBodyBytes: 1024, signal });

test('many requests, then one that hangs, then more: each has its own deadline', async () => {
  for (let i = 0; i < 100; i++) expect((await get('/fast')).response?.status).toBe(404);
  const hung = await get('/hang', 200);
  expect(hung.transportError?.code).toBe('TIMEOUT');
  expect(hung.transportError?.message).toMatch(/not even a status line/);
  const trickled = await get('/trickle', 200);
  expect(trickled.transportError?.code).toBe('TIMEOUT');
  expect(trickled.transportError?.message).toMatch(/body did not complete/);
  // A deadline that fired is not reused: the next request is not born aborted, and no old deadline cuts it short.
  for (let i = 0; i < 20; i++) expect((await get('/fast', 300)).response?.status).toBe(404);
});

test('an interruption stops the request in flight, and a later one is not sent', async () => {
  const interrupt = new AbortController();
  setTimeout(() => interrupt.abort('SIGINT'), 100);
  const cut = await get('/hang', 5000, interrupt.signal);
  expect(cut.transportError?.code).toBe('INTERRUPTED');
  expect((await get('/fast', 5000, interrupt.signal)).transportError?.code).toBe('INTERRUPTED');
  expect((await get('/fast')).response?.status).toBe(404);
});
