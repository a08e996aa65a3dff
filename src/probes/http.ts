import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import type { RecordedResponse } from '../types';
import { decodeBody } from '../util/content-coding';
import type { OutgoingRequest } from './request';

export interface SendOptions {
  /** Per request, headers and body together (SPEC: --timeout, default 10000). */
  timeoutMs: number;
  /** Bytes of body kept, after decoding; the rest is neither read nor inflated (default 1 MiB). */
  maxBodyBytes: number;
  /** Accept any TLS certificate (`--insecure`): for test targets with self-signed certificates only. */
  insecure?: boolean;
  /** Stop waiting (SIGINT/SIGTERM): the exchange ends with code INTERRUPTED. */
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
}

export interface SendResult {
  response?: RecordedResponse;
  transportError?: { code: string; message: string };
  durationMs: number;
}

/** Codes that mean nothing answered at that address. */
export const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Agents by TLS strictness and connect timeout: `--timeout` bounds the TCP connect too (undici's own default is 10 s). */
const agents = new Map<string, Agent>();
/** The agents' sockets, connecting or connected (a closed one leaves the set). */
const sockets = new Set<Socket>();
/** Decoding a whole body is stateless: one decoder serves every response (invalid bytes become U+FFFD). */
const UTF8 = new TextDecoder('utf-8', { fatal: false });

function dispatcherFor(options: SendOptions): Dispatcher {
  if (options.dispatcher) return options.dispatcher;
  const key = `${options.insecure ? 'insecure' : 'strict'}:${options.timeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    // A run uses one or two timeouts: the bound only keeps a long-lived caller from growing the map.
    if (agents.size >= 8) agents.clear();
    const connect = buildConnector({ timeout: options.timeoutMs, ...(options.insecure ? { rejectUnauthorized: false } : {}) });
    // Each socket is known from its first SYN, so closeConnections() can end one whose connect never completes.
    agent = new Agent({
      connect: (opts, callback) => {
        const socket = (connect as unknown as (o: typeof opts, cb: typeof callback) => Socket | undefined)(opts, callback);
        if (socket) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        }
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * Send one request: no redirect is followed (a 3xx is recorded as it came), the body is capped and
 * timed out, and a body the target compressed anyway is inflated only up to the cap.
 */
export async function send(out: OutgoingRequest, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const limit = deadline(options.timeoutMs, options.signal);
  const signal = limit.signal;
  let phase: 'headers' | 'body' = 'headers';
  try {
    if (options.signal?.aborted) throw options.signal.reason;
    const pending = request(out.url, {
      method: out.method as Dispatcher.HttpMethod,
      headers: out.headers,
      body: out.body,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      dispatcher: dispatcherFor(options),
    });
    // undici holds an aborted request until its connection is made: a connect that never completes would keep an
    // interrupted run waiting for the whole connect timeout. The interruption ends the wait at once.
    const res = options.signal ? await untilAborted(pending, options.signal) : await pending;
    const headers = headerMap(res.headers);
    phase = 'body';
    const raw = await readCapped(res.body, options.maxBodyBytes);
    // errspec asks for identity; a coding sent anyway is undone with the proxy's decoder (stacked codings, raw deflate), capped.
    const encoding = headers['content-encoding'];
    const decoded = encoding ? await decodeBody(raw.bytes, raw.truncated, encoding, options.maxBodyBytes) : undefined;
    if (decoded?.problem) return { transportError: { code: 'BAD_CONTENT_ENCODING', message: `the body does not decode as its Content-Encoding says (${decoded.problem})` }, durationMs: performance.now() - started };
    const truncated = decoded ? decoded.truncated : raw.truncated;
    return {
      response: {
        status: res.statusCode,
        headers,
        body: decoded ? decoded.text : UTF8.decode(raw.bytes),
        ...(truncated ? { truncated: true } : {}),
      },
      durationMs: performance.now() - started,
    };
  } catch (error) {
    const transportError = options.signal?.aborted
      ? { code: 'INTERRUPTED', message: 'the run was interrupted before this probe was answered' }
      : describe(error, options.timeoutMs, phase);
    return { transportError, durationMs: performance.now() - started };
  } finally {
    limit.release();
  }
}

/** `pending`, or a rejection as soon as `signal` aborts (the late answer, if any, is drained and dropped). */
function untilAborted<T extends Dispatcher.ResponseData>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then(
      (res) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) res.body.on('error', ignore).destroy();
        resolve(res);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Close every pooled connection, those still connecting included: an interrupted CLI run calls it so a connect
 * that never completes does not keep the process alive until its timeout. Later requests get new agents.
 */
export function closeConnections(): void {
  // undici's own destroy() waits for a pending connect to settle: the sockets are ended here, connecting ones too.
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const agent of agents.values()) void agent.destroy().catch(ignore);
  agents.clear();
}

/** Controllers of request deadlines that never fired, for the next requests (bounded). */
const idleControllers: AbortController[] = [];

/**
 * A request's deadline (headers and body together) and the interruption, as one abort signal. Creating
 * an AbortSignal per request cost as much as the rest of errspec's own work on a loopback probe, so
 * controllers whose deadline did not fire are reused; one that aborted is dropped.
 */
function deadline(timeoutMs: number, interrupt: AbortSignal | undefined): { signal: AbortSignal; release(): void } {
  const controller = idleControllers.pop() ?? new AbortController();
  // As AbortSignal.timeout: a DOMException named TimeoutError, and a timer that keeps no process alive.
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs).unref();
  const onInterrupt = (): void => controller.abort(interrupt!.reason);
  interrupt?.addEventListener('abort', onInterrupt, { once: true });
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      interrupt?.removeEventListener('abort', onInterrupt);
      if (!controller.signal.aborted && idleControllers.length < 64) idleControllers.push(controller);
    },
  };
}

const ignore = (): void => undefined;

/**
 * Read at most `max` bytes of the body as sent; an endless body stops at the cap (and a compression bomb at
 * the decoder's cap).
 * Data events, not an async iterator: a probe's body is one chunk, and the iterator's machinery cost more than reading it.
 */
function readCapped(body: Readable, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const source: Readable = body;
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  return new Promise((resolve, reject) => {
    const finish = (error?: Error): void => {
      source.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      // Stop reading (and inflating) at once: the rest of a huge or endless body is never taken in.
      // Destroying mid-body makes the streams report the abort: that is expected, not an error to raise.
      body.on('error', ignore).destroy();
      if (error) reject(error);
      else resolve({ bytes: Buffer.concat(chunks, kept), truncated });
    };
    const onData = (chunk: Buffer): void => {
      const room = max - kept;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        kept = max;
        truncated = true;
        return finish();
      }
      chunks.push(chunk);
      kept += chunk.length;
    };
    const onEnd = (): void => finish();
    // Closed before its end without an error (a reset the stream swallowed): as the async iterator, a premature close.
    const onClose = (): void => finish(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    source.on('data', onData).on('end', onEnd).on('error', finish).on('close', onClose);
  });
}

function headerMap(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** TLS verification failures: the target's certificate is not one errspec can trust. */
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED',
]);

type ErrorLike = { code?: string; name?: string; message?: string; cause?: ErrorLike };

function describe(error: unknown, timeoutMs: number, phase: 'headers' | 'body'): { code: string; message: string } {
  const err = (error ?? {}) as ErrorLike;
  const code = err.cause?.code ?? err.code ?? err.name ?? 'ERROR';
  const detail = err.cause?.message ?? err.message ?? String(error);
  if (err.name === 'TimeoutError' || err.cause?.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR') {
    return phase === 'headers'
      ? { code: 'TIMEOUT', message: `no response within ${timeoutMs} ms: not even a status line and headers arrived (${code})` }
      : { code: 'TIMEOUT', message: `the response body did not complete within ${timeoutMs} ms: headers arrived, then the body stalled or never ended (${code})` };
  }
  if (TLS_TRUST_CODES.has(code)) {
    return { code, message: `TLS certificate of the target is not trusted (${detail}); errspec verifies TLS by default: pass --insecure to accept it for a test target` };
  }
  if (code.startsWith('HPE_')) return { code, message: `the target's answer is not valid HTTP/1.1 (${detail})` };
  if (code.startsWith('Z_') || code.startsWith('ERR__ERROR_')) {
    return { code: 'BAD_CONTENT_ENCODING', message: `the body does not decode as its Content-Encoding says (${detail})` };
  }
  const messages: Record<string, string> = {
    ECONNREFUSED: 'connection refused: nothing listens at that address',
    ECONNRESET: 'the connection was reset by the target',
    UND_ERR_SOCKET: 'the target closed the connection mid-response',
    ENOTFOUND: 'the host name does not resolve',
    UND_ERR_HEADERS_OVERFLOW: 'the response headers are larger than errspec accepts',
    EPROTO: `TLS handshake failed (${detail})`,
  };
  return { code, message: messages[code] ?? detail };
}
