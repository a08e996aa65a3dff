// Issue 12: one decoder for the probes and the proxy: stacked codings and raw deflate, each output capped.
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { send } from '../../src/probes/http';
import { startServer, type TestServer } from '../helpers/server';

const BODY = JSON.stringify({ error: 'patient_not_found', message: 'No patient.', status: 404 });
let server: TestServer | undefined;
afterEach(async () => server?.close());

async function probeAnswer(encoding: string, bytes: Buffer, maxBodyBytes = 1_048_576) {
  server = await startServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json', 'content-encoding': encoding });
    res.end(bytes);
  });
  return send({ method: 'GET', url: `${server.url}/x`, headers: { 'accept-encoding': 'identity' } }, { timeoutMs: 5000, maxBodyBytes });
}

test.each([
  ['gzip', gzipSync(Buffer.from(BODY))],
  ['deflate', deflateSync(Buffer.from(BODY))],
  ['deflate', deflateRawSync(Buffer.from(BODY))], // raw deflate: what some servers send for "deflate"
  ['br', brotliCompressSync(Buffer.from(BODY))],
  ['deflate, gzip', gzipSync(deflateSync(Buffer.from(BODY)))], // stacked: undone in reverse order
])('a probe answered with Content-Encoding %s is checked decoded', async (encoding, bytes) => {
  const result = await probeAnswer(encoding, bytes);
  expect(result.response?.body).toBe(BODY);
  expect(result.response?.truncated).toBeUndefined();
});

test('a gzip bomb costs at most the body cap', async () => {
  const result = await probeAnswer('gzip', gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20)), 4096);
  expect(result.response?.body.length).toBe(4096);
  expect(result.response?.truncated).toBe(true);
});

test('a body that does not decode as its Content-Encoding says is a transport error that names it', async () => {
  const result = await probeAnswer('gzip', Buffer.from('not gzip at all'));
  expect(result.transportError?.code).toBe('BAD_CONTENT_ENCODING');
});
