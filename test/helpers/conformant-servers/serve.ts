import { listen } from '../../../src/util/listen';
import http from 'node:http';

/**
 * Plumbing shared by the hand-written conformant servers: node:http on 127.0.0.1, port 0.
 * Deliberately independent of errspec: nothing here imports from src/, so the servers answer from
 * their authors' reading of the vendor documents, not from errspec's profiles or its mock.
 */

/** One answer of a conformant server: the body is serialized in the key order it is built in. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** What a handler sees of one request. */
export interface Incoming {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A one-line deviation for negative tests: given the server's own name for the situation it is
 * answering and the conformant answer, return the (possibly broken) answer to send instead.
 */
export type Deviation = (situation: string, answer: Answer) => Answer;

export interface ConformantServer {
  url: string;
  /** Requests received so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** The situation a handler recognised and its conformant answer. */
export interface Handled {
  situation: string;
  answer: Answer;
}

export async function serve(handler: (req: Incoming) => Handled, deviate?: Deviation): Promise<ConformantServer> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const incoming: Incoming = {
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', 'http://conformant.invalid'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const { situation, answer: conformant } = handler(incoming);
      const answer = deviate ? deviate(situation, conformant) : conformant;
      const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
      res.writeHead(answer.status, { ...(answer.headers ?? {}), 'content-length': String(Buffer.byteLength(text)) });
      res.end(req.method === 'HEAD' ? undefined : text);
    });
  });
  const { url } = await listen(server);
  return {
    url,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The bearer token of an Authorization header, '' when the header is absent or empty. */
export function bearerOf(headers: http.IncomingHttpHeaders): string | undefined {
  const raw = headers.authorization;
  if (raw === undefined || raw.trim() === '') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(raw);
  return match ? match[1] : '';
}

/** Whether a body parses as JSON. */
export function parses(body: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false };
  }
}

/**
 * A fixed-window rate limiter per credential: `limit` requests per `windowSeconds`, then 429 until
 * the window ends. `retryAt()` is when the window ends (epoch ms).
 */
export class FixedWindow {
  private start = Date.now();
  private count = 0;
  constructor(readonly limit: number, readonly windowSeconds: number) {}

  /** Count one request; true when it is over the limit. */
  over(): boolean {
    const now = Date.now();
    if (now - this.start >= this.windowSeconds * 1000) {
      this.start = now;
      this.count = 0;
    }
    this.count++;
    return this.count > this.limit;
  }

  resetAt(): number {
    return this.start + this.windowSeconds * 1000;
  }
}

/** RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" (what Date#toUTCString produces). */
export function httpDate(epochMs: number): string {
  return new Date(epochMs).toUTCString();
}
