import http from 'node:http';
import type { Socket } from 'node:net';
import { listen } from '../util/listen';
import type { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange } from '../types';
import type { Redactor } from '../util/redact';
import { BodyCopy, decodeBody } from './body-copy';
import { forwardHeaders, headerMapOf, parseTarget, responseHeaders, targetPath } from './forward';
import { ProxyRecorder, type ProxyRunHead, type SeenRequest } from './recorder';

export interface ProxyOptions {
  /** Where every request goes: an http(s) origin with an optional path prefix. */
  target: string;
  /** Interface to listen on (default 127.0.0.1: loopback only). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Warnings become failures (`--strict`). */
  strict?: boolean;
  /** Bytes of each error response kept for checking, before and after decompression (default 1 MiB). */
  maxBodyBytes?: number;
  /** Base redactor; each exchange also redacts the credentials its own request carried. */
  redactor?: Redactor;
  /**
   * Each error response as it has been checked, in the order checks finish: the reports and progress
   * lines take them from here. The proxy keeps none of them.
   */
  onExchange?: (exchange: EvaluatedExchange) => void;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** The run so far: totals and notes (the exchanges went to `onExchange`). */
  run(): ProxyRunHead;
  /** What the proxy holds besides requests in flight (notes, cached redactors): it must not grow with the exchanges. */
  retained(): number;
  /**
   * Stop: accept nothing more, let requests in flight finish for up to `graceMs` (default 5000),
   * then cut the rest and close every connection. Resolves to the run. Called again while stopping,
   * it cuts the requests in flight at once.
   */
  close(options?: { graceMs?: number }): Promise<ProxyRunHead>;
}

/** Bytes of a request body kept for the reproduction; the body itself streams on whole. */
const REQUEST_COPY_BYTES = 64 * 1024;

interface InFlight {
  done: Promise<void>;
  /** Abort the upstream request (before it was dispatched, as soon as it is). */
  abort: () => void;
  /** Set when close() cut this request: it is left out of the report, not counted as a failure of the target. */
  cut: boolean;
}

/**
 * A loopback proxy in front of a target: every request is forwarded unchanged and every response
 * comes back unchanged; a capped copy of each non-2xx response is checked against the vendor's
 * contract after it has passed. A violation never alters traffic.
 */
export async function startProxy(profile: Profile, options: ProxyOptions): Promise<RunningProxy> {
  const target = parseTarget(options.target);
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const recorder = new ProxyRecorder(profile, `${target.origin}${target.basePath}`, { strict: options.strict, redactor: options.redactor, onExchange: options.onExchange });
  // Our own pool: closing the proxy closes its upstream connections, and nothing else shares them. TLS is verified.
  const agent = new Agent({ connect: { rejectUnauthorized: true } });
  const inFlight = new Set<InFlight>();
  let requests = 0;

  const server = http.createServer((req, res) => {
    const seq = ++requests;
    const entry: InFlight = { done: Promise.resolve(), abort: () => undefined, cut: false };
    inFlight.add(entry);
    entry.done = forward(seq, req, res, entry).then(() => {
      inFlight.delete(entry);
    });
  });
  // CONNECT (HTTPS through a forward proxy) and upgrades cannot be inspected: refuse them plainly.
  const refuse = (_req: http.IncomingMessage, socket: Socket): void => {
    socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nerrspec proxy forwards plain HTTP requests to its --target only\n');
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);

  /**
   * One request, forwarded through undici's dispatcher with a handler that writes each chunk of the
   * answer straight to the client (and to the copy, for an error): no stream objects in between,
   * whose setup and teardown cost more than the forwarding itself. Resolves once the exchange is recorded.
   */
  function forward(seq: number, req: http.IncomingMessage, res: http.ServerResponse, entry: InFlight): Promise<void> {
    const started = performance.now();
    const path = targetPath(target, req.url ?? '/');
    const forwarded = forwardHeaders(req.rawHeaders);
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    const requestCopy = hasBody ? new BodyCopy(REQUEST_COPY_BYTES) : undefined;
    // The client gets the target's headers only: no Date of the proxy's own.
    res.sendDate = false;
    const seen = (): SeenRequest => ({
      seq,
      method: req.method ?? 'GET',
      url: `${target.origin}${path}`,
      headers: headerMapOf(forwarded),
      ...(requestCopy ? { body: requestCopy.bytes().toString('utf8') } : {}),
    });

    return new Promise<void>((resolve) => {
      let abortUpstream: ((error?: Error) => void) | undefined;
      let aborted = false;
      let resume: () => void = () => undefined;
      let status = 0;
      let copy: BodyCopy | undefined;
      let raw: string[] = [];
      /** The exchange is over for the client (answered, broken off, or left): later events change nothing. */
      let settled = false;
      let clientLeft = false;

      entry.abort = () => {
        aborted = true;
        abortUpstream?.(new Error('aborted'));
      };
      res.on('close', () => {
        if (settled || res.writableFinished) return;
        clientLeft = true;
        entry.abort();
      });
      const failed = (failure: { code: string; message: string }): void => {
        recorder.failure(seen(), failure, performance.now() - started);
      };

      const handler: Dispatcher.DispatchHandler = {
        onConnect(abort) {
          abortUpstream = abort;
          if (aborted) abort(new Error('aborted'));
        },
        onHeaders(statusCode, rawHeaders, resumeUpstream, statusText) {
          // 1xx: Node answered the client's Expect itself; the final answer follows.
          if (statusCode < 200) return true;
          status = statusCode;
          resume = resumeUpstream;
          raw = rawStrings(rawHeaders);
          const checked = status >= 300;
          try {
            res.writeHead(status, statusText, responseHeaders(raw));
          } catch (error) {
            // Node refuses header bytes it would not send itself; the client gets a 502 that says so.
            settled = true;
            abortUpstream?.(error as Error);
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(`errspec proxy: the target's response headers cannot be forwarded: ${(error as Error).message}\n`);
            if (checked) failed({ code: 'INVALID_HEADERS', message: (error as Error).message });
            resolve();
            return false;
          }
          if (checked) copy = new BodyCopy(maxBodyBytes);
          return true;
        },
        onData(chunk) {
          if (settled) return true;
          copy?.add(chunk);
          if (res.write(chunk)) return true;
          res.once('drain', resume);
          return false;
        },
        onComplete() {
          if (settled) return;
          settled = true;
          res.end();
          if (!copy || entry.cut) return resolve();
          const headers = headerMapOf(raw);
          const kept = copy;
          void decodeBody(kept.bytes(), kept.truncated, headers['content-encoding'], maxBodyBytes).then((decoded) => {
            if (!entry.cut) recorder.response(seen(), { status, headers, body: decoded }, performance.now() - started);
            resolve();
          });
        },
        onError(error) {
          if (settled) return resolve();
          settled = true;
          if (clientLeft || entry.cut) return resolve();
          if (status === 0) {
            const failure = transportFailure(error);
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
            res.end(`errspec proxy: ${target.origin} did not answer: ${failure.message}\n`);
            // Every request the target did not answer is reported: it never reached the contract.
            failed(failure);
          } else {
            // The client sees the break as the target made it.
            res.destroy();
            if (copy) failed({ code: 'BODY_INCOMPLETE', message: `the response body broke off: ${transportFailure(error).message}` });
          }
          resolve();
        },
      };
      agent.dispatch({
        origin: target.origin,
        path,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: forwarded,
        // undici sends an async iterable body as it comes (its types list only streams and buffers).
        body: requestCopy ? (tapped(req, requestCopy) as unknown as Readable) : null,
      }, handler);
    });
  }

  const listening = await listen(server, options.port, options.host);
  let closing: Promise<ProxyRunHead> | undefined;
  let hurry: () => void = () => undefined;

  return {
    url: listening.url,
    port: listening.port,
    get requests() {
      return requests;
    },
    run: () => recorder.head(),
    retained: () => recorder.retained() + inFlight.size,
    close(closeOptions = {}) {
      if (closing) {
        // Asked again (a second Ctrl-C): stop waiting for requests in flight.
        hurry();
        return closing;
      }
      closing = (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const hurried = new Promise<void>((resolve) => {
          hurry = resolve;
        });
        await settleWithin([...inFlight].map((e) => e.done), closeOptions.graceMs ?? 5_000, hurried);
        const cut = [...inFlight];
        for (const entry of cut) {
          entry.cut = true;
          entry.abort();
        }
        if (cut.length > 0) recorder.note(`${cut.length} request${cut.length === 1 ? ' was' : 's were'} still in flight when the proxy stopped and ${cut.length === 1 ? 'is' : 'are'} not in this report`);
        server.closeAllConnections();
        // A request still waiting for a connection has no abort of its own yet: failing the pool (ours alone) ends it now.
        if (cut.length > 0) await agent.destroy();
        await Promise.allSettled(cut.map((e) => e.done));
        await stopped;
        if (cut.length === 0) await agent.close();
        return recorder.head();
      })();
      return closing;
    },
  };
}

/** Wait for these to settle, but no longer than `ms` or until `stop` resolves. */
async function settleWithin(promises: Promise<unknown>[], ms: number, stop: Promise<void>): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), deadline, stop]);
  clearTimeout(timer);
}

const MESSAGES: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens at that address',
  ECONNRESET: 'the connection was reset by the target',
  UND_ERR_SOCKET: 'the target closed the connection mid-response',
  ENOTFOUND: 'the host name does not resolve',
  UND_ERR_HEADERS_TIMEOUT: 'no response headers in time',
  UND_ERR_BODY_TIMEOUT: 'the response body stalled',
};

function transportFailure(error: unknown): { code: string; message: string } {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code ?? err.name ?? 'ERROR';
  return { code, message: MESSAGES[code] ?? err.cause?.message ?? err.message ?? String(error) };
}

/** undici's raw headers (Buffers) as strings, names as sent and values byte for byte (latin1), as Node's own rawHeaders. */
function rawStrings(rawHeaders: Buffer[] | string[]): string[] {
  const out = new Array<string>(rawHeaders.length);
  for (let i = 0; i < rawHeaders.length; i++) {
    const value = rawHeaders[i];
    out[i] = typeof value === 'string' ? value : value.toString('latin1');
  }
  return out;
}

/** The request body as undici sends it on, each chunk copied (capped) for the reproduction as it goes by. */
async function* tapped(req: http.IncomingMessage, copy: BodyCopy): AsyncGenerator<Buffer> {
  // A client that aborts its upload ends this with an error, which aborts the upstream request.
  for await (const chunk of req as AsyncIterable<Buffer>) {
    copy.add(chunk);
    yield chunk;
  }
}
