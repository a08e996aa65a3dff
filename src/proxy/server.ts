import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Agent, type Dispatcher } from 'undici';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, VendorRun } from '../types';
import type { Redactor } from '../util/redact';
import { BodyCopy, decodeBody, Tap } from './body-copy';
import { forwardHeaders, headerMapOf, parseTarget, responseHeaders, targetPath } from './forward';
import { ProxyRecorder, type SeenRequest } from './recorder';

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
  /** Called as each error response has been checked, for progress lines. */
  onExchange?: (exchange: EvaluatedExchange) => void;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Requests received so far. */
  readonly requests: number;
  /** What has been checked so far. */
  run(): VendorRun;
  /**
   * Stop: accept nothing more, let requests in flight finish for up to `graceMs` (default 5000),
   * then cut the rest and close every connection. Resolves to the run. Called again while stopping,
   * it cuts the requests in flight at once.
   */
  close(options?: { graceMs?: number }): Promise<VendorRun>;
}

/** Bytes of a request body kept for the reproduction; the body itself streams on whole. */
const REQUEST_COPY_BYTES = 64 * 1024;

interface InFlight {
  done: Promise<void>;
  upstream: AbortController;
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
  const recorder = new ProxyRecorder(profile, `${target.origin}${target.basePath}`, { strict: options.strict, redactor: options.redactor });
  // Our own pool: closing the proxy closes its upstream connections, and nothing else shares them. TLS is verified.
  const agent = new Agent({ connect: { rejectUnauthorized: true } });
  const inFlight = new Set<InFlight>();
  let requests = 0;

  const server = http.createServer((req, res) => {
    const seq = ++requests;
    const entry: InFlight = { done: Promise.resolve(), upstream: new AbortController(), cut: false };
    entry.done = forward(seq, req, res, entry).finally(() => inFlight.delete(entry));
    inFlight.add(entry);
  });
  // CONNECT (HTTPS through a forward proxy) and upgrades cannot be inspected: refuse them plainly.
  const refuse = (_req: http.IncomingMessage, socket: Socket): void => {
    socket.end('HTTP/1.1 501 Not Implemented\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nerrspec proxy forwards plain HTTP requests to its --target only\n');
  };
  server.on('connect', refuse);
  server.on('upgrade', refuse);

  async function forward(seq: number, req: http.IncomingMessage, res: http.ServerResponse, entry: InFlight): Promise<void> {
    const started = performance.now();
    const path = targetPath(target, req.url ?? '/');
    const requestCopy = new BodyCopy(REQUEST_COPY_BYTES);
    const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    let body: Tap | undefined;
    if (hasBody) {
      body = new Tap(requestCopy);
      // Errors travel along: a client that aborts its upload aborts the upstream request.
      pipeline(req, body).catch(() => undefined);
    }
    const answer: { body?: Dispatcher.ResponseData['body'] } = {};
    let clientLeft = false;
    res.on('close', () => {
      // A target that broke off closes the client side through the pipeline: that is not the client leaving.
      if (res.writableFinished || answer.body?.errored) return;
      clientLeft = true;
      entry.upstream.abort();
    });
    // The client gets the target's headers only: no Date of the proxy's own.
    res.sendDate = false;
    const seen = (): SeenRequest => ({
      seq,
      method: req.method ?? 'GET',
      url: `${target.origin}${path}`,
      headers: headerMapOf(forwardHeaders(req.rawHeaders)),
      ...(hasBody ? { body: requestCopy.bytes().toString('utf8') } : {}),
    });

    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await agent.request({
        origin: target.origin,
        path,
        method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: forwardHeaders(req.rawHeaders),
        body: body ?? null,
        signal: entry.upstream.signal,
        responseHeaders: 'raw',
      });
    } catch (error) {
      if (clientLeft || entry.cut) return;
      const failure = transportFailure(error);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`errspec proxy: ${target.origin} did not answer: ${failure.message}\n`);
      }
      // Every request the target did not answer is reported: it never reached the contract.
      report(recorder.failure(seen(), failure, performance.now() - started));
      return;
    }

    answer.body = upstream.body;
    const raw = upstream.headers as unknown as string[];
    const checked = upstream.statusCode < 200 || upstream.statusCode >= 300;
    const copy = checked ? new BodyCopy(maxBodyBytes) : undefined;
    try {
      res.writeHead(upstream.statusCode, upstream.statusText, responseHeaders(raw));
    } catch (error) {
      // Node refuses header bytes it would not send itself; the client gets a 502 that says so.
      upstream.body.destroy();
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`errspec proxy: the target's response headers cannot be forwarded: ${(error as Error).message}\n`);
      if (checked) report(recorder.failure(seen(), { code: 'INVALID_HEADERS', message: (error as Error).message }, performance.now() - started));
      return;
    }
    try {
      await pipeline(upstream.body, new Tap(copy), res);
    } catch (error) {
      if (entry.cut || clientLeft) return;
      if (checked) report(recorder.failure(seen(), { code: 'BODY_INCOMPLETE', message: `the response body broke off: ${transportFailure(error).message}` }, performance.now() - started));
      return;
    }
    if (!copy || entry.cut) return;
    const headers = headerMapOf(raw);
    const decoded = await decodeBody(copy.bytes(), copy.truncated, headers['content-encoding'], maxBodyBytes);
    if (entry.cut) return;
    report(recorder.response(seen(), { status: upstream.statusCode, headers, body: decoded }, performance.now() - started));
  }

  function report(exchange: EvaluatedExchange): void {
    options.onExchange?.(exchange);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<VendorRun> | undefined;
  let hurry: () => void = () => undefined;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get requests() {
      return requests;
    },
    run: () => recorder.run(),
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
          entry.upstream.abort();
        }
        if (cut.length > 0) recorder.note(`${cut.length} request${cut.length === 1 ? ' was' : 's were'} still in flight when the proxy stopped and ${cut.length === 1 ? 'is' : 'are'} not in this report`);
        server.closeAllConnections();
        await Promise.allSettled(cut.map((e) => e.done));
        await stopped;
        await agent.close();
        return recorder.run();
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
