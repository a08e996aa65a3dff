import { request, type Dispatcher } from 'undici';
import type { RecordedResponse } from '../types';
import type { OutgoingRequest } from './request';

export interface SendOptions {
  /** Per request, headers and body together (SPEC: --timeout, default 10000). */
  timeoutMs: number;
  /** Bytes of body kept; the rest is not read (default 1 MiB). */
  maxBodyBytes: number;
  dispatcher?: Dispatcher;
}

export interface SendResult {
  response?: RecordedResponse;
  transportError?: { code: string; message: string };
  durationMs: number;
}

/** Codes that mean nothing answered at that address. */
export const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Send one request: no redirect is followed, no body is decompressed, the body is capped and timed out. */
export async function send(out: OutgoingRequest, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const res = await request(out.url, {
      method: out.method as Dispatcher.HttpMethod,
      headers: out.headers,
      body: out.body,
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      dispatcher: options.dispatcher,
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const room = options.maxBodyBytes - kept;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        truncated = true;
        break;
      }
      chunks.push(chunk);
      kept += chunk.length;
    }
    // Breaking out of the loop destroys the stream: an endless body is never read past the cap.
    if (truncated) res.body.destroy();
    return {
      response: {
        status: res.statusCode,
        headers: headerMap(res.headers),
        body: new TextDecoder('utf-8', { fatal: false }).decode(Buffer.concat(chunks)),
        ...(truncated ? { truncated: true } : {}),
      },
      durationMs: performance.now() - started,
    };
  } catch (error) {
    return { transportError: describe(error, options.timeoutMs), durationMs: performance.now() - started };
  }
}

function headerMap(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function describe(error: unknown, timeoutMs: number): { code: string; message: string } {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.cause?.code ?? err.code ?? err.name ?? 'ERROR';
  if (err.name === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ABORT_ERR') {
    return { code: 'TIMEOUT', message: `no complete response within ${timeoutMs} ms (${code})` };
  }
  const messages: Record<string, string> = {
    ECONNREFUSED: 'connection refused: nothing listens at that address',
    ECONNRESET: 'the connection was reset by the target',
    UND_ERR_SOCKET: 'the target closed the connection mid-response',
    ENOTFOUND: 'the host name does not resolve',
  };
  return { code, message: messages[code] ?? err.cause?.message ?? err.message ?? String(error) };
}
