import { writeFileSync } from 'node:fs';
import zlib from 'node:zlib';
import type { Entry, Har } from 'har-format';
import { request, type Dispatcher } from 'undici';
import type { EvaluatedExchange } from '../../src/types';

export interface ClientRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface ClientResponse {
  status: number;
  statusText: string;
  /** Raw [name, value, ...] as received. */
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes exactly as received (no decompression). */
  bytes: Buffer;
}

/** One request as a user's client sends it: raw bytes back, nothing decoded, no redirect followed. */
export async function send(baseUrl: string, req: ClientRequest, dispatcher?: Dispatcher): Promise<ClientResponse> {
  const res = await request(`${baseUrl}${req.path}`, {
    method: req.method as Dispatcher.HttpMethod,
    headers: req.headers,
    body: req.body,
    responseHeaders: 'raw',
    dispatcher,
  });
  const raw = res.headers as unknown as string[];
  const headers: Record<string, string | string[] | undefined> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    const prev = headers[name];
    headers[name] = prev === undefined ? raw[i + 1] : [...(Array.isArray(prev) ? prev : [prev]), raw[i + 1]];
  }
  return { status: res.statusCode, statusText: res.statusText, rawHeaders: raw, headers, bytes: Buffer.from(await res.body.arrayBuffer()) };
}

/** What a browser's HAR export holds for one exchange: headers as received, content decoded. */
export function harEntry(targetUrl: string, req: ClientRequest, res: ClientResponse): Entry {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const decoded = encoding === 'gzip' ? zlib.gunzipSync(res.bytes) : encoding === 'br' ? zlib.brotliDecompressSync(res.bytes) : encoding === 'deflate' ? zlib.inflateSync(res.bytes) : res.bytes;
  const pairs = (raw: string[]) => {
    const out: { name: string; value: string }[] = [];
    for (let i = 0; i < raw.length; i += 2) out.push({ name: raw[i], value: raw[i + 1] });
    return out;
  };
  // Hop-by-hop headers of the client's own connection are not the target's: a HAR of the target lacks them too.
  const hop = new Set(['connection', 'keep-alive', 'transfer-encoding']);
  return {
    startedDateTime: new Date(0).toISOString(),
    time: 0,
    request: {
      method: req.method,
      url: `${targetUrl}${req.path}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: Object.entries(req.headers ?? {}).map(([name, value]) => ({ name, value })),
      queryString: [],
      headersSize: -1,
      bodySize: req.body === undefined ? 0 : Buffer.byteLength(req.body),
      ...(req.body !== undefined ? { postData: { mimeType: req.headers?.['content-type'] ?? '', text: req.body } } : {}),
    },
    response: {
      status: res.status,
      statusText: '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: pairs(res.rawHeaders).filter((h) => !hop.has(h.name.toLowerCase())),
      content: { size: decoded.length, mimeType: String(res.headers['content-type'] ?? ''), text: decoded.toString('utf8') },
      redirectURL: '',
      headersSize: -1,
      bodySize: res.bytes.length,
    },
    cache: {},
    timings: { send: 0, wait: 0, receive: 0 },
  };
}

export function writeHar(file: string, entries: Entry[]): void {
  const har: Har = { log: { version: '1.2', creator: { name: 'errspec-tests', version: '0' }, entries } };
  writeFileSync(file, JSON.stringify(har));
}

/** What a verdict is made of: which checks, their outcome and message, and the exchange's ok. */
export function verdicts(exchange: EvaluatedExchange): { ok: boolean; findings: [string, string, string][] } {
  return { ok: exchange.ok, findings: exchange.findings.map((f) => [f.check, f.outcome, f.message]) };
}
