import { listen } from '../util/listen';
import { connectionTokens, isHopByHop } from '../util/hop-by-hop';
import http from 'node:http';
import { send } from '../probes/http';
import { joinUrl } from '../probes/request';
import type { RecordedRequest, RecordedResponse } from '../types';
import type { Redactor } from '../util/redact';

/** One request the Pact verifier sent, as it sent it, and as errspec forwarded it to the provider. */
export interface ProxiedExchange {
  /** As the verifier sent it: the pact's request, sample credentials included (they are not secrets). */
  sent: { method: string; url: string; headers: Record<string, string>; body: string };
  /** As forwarded to the provider: the provider's URL, the user's credential in place, redacted. */
  request: RecordedRequest;
  /** Redacted. */
  response?: RecordedResponse;
  transportError?: { code: string; message: string };
  durationMs: number;
}

export interface VerifyProxyOptions {
  /** The provider's base URL (may carry a path prefix). */
  target: string;
  /** Puts the user's credential where the pact shows a sample one; edits the headers in place. */
  rewrite?: (headers: Record<string, string>) => void;
  redactor: Redactor;
  timeoutMs: number;
  maxBodyBytes: number;
}

export interface VerifyProxy {
  url: string;
  port: number;
  /** Every exchange so far, in arrival order. */
  readonly exchanges: ProxiedExchange[];
  close(): Promise<void>;
}

/** Framing headers besides the hop-by-hop ones: the forwarded request and the answer get their own. */
const FRAMING = new Set(['host', 'content-length']);
const notForwarded = (name: string, listed: ReadonlySet<string>): boolean => isHopByHop(name, listed) || FRAMING.has(name);

/**
 * A loopback proxy between the Pact verifier and the provider. It forwards the verifier's bytes unchanged
 * (Pact's own JS proxy re-serialises JSON bodies, which would repair the malformed bodies errspec probes
 * with), puts the user's credential in place of the pact's sample, and records each exchange for the report.
 */
export async function startVerifyProxy(options: VerifyProxyOptions): Promise<VerifyProxy> {
  const exchanges: ProxiedExchange[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void forward(req, Buffer.concat(chunks).toString('utf8'), res);
    });
  });

  async function forward(req: http.IncomingMessage, body: string, res: http.ServerResponse): Promise<void> {
    const sentHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) sentHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
    const sentListed = connectionTokens([sentHeaders.connection ?? '']);
    const headers = Object.fromEntries(Object.entries(sentHeaders).filter(([name]) => !notForwarded(name, sentListed)));
    // Uncompressed answers, so the report shows the body the provider meant.
    headers['accept-encoding'] = 'identity';
    options.rewrite?.(headers);
    const method = req.method ?? 'GET';
    const url = joinUrl(options.target, req.url ?? '/');
    const result = await send(
      { method, url, headers, ...(body !== '' ? { body } : {}) },
      { timeoutMs: options.timeoutMs, maxBodyBytes: options.maxBodyBytes },
    );
    const { redactor } = options;
    const exchange: ProxiedExchange = {
      sent: { method, url: req.url ?? '/', headers: sentHeaders, body },
      request: { method, url: redactor.text(url), headers: redactor.headerMap(headers), ...(body !== '' ? { body: redactor.text(body) } : {}) },
      durationMs: result.durationMs,
    };
    if (result.response) {
      const { status, headers: answerHeaders, body: answer } = result.response;
      exchange.response = { ...result.response, headers: redactor.headerMap(answerHeaders), body: redactor.text(answer) };
      exchanges.push(exchange);
      // The body was decoded and may be capped: framing and encoding headers are this proxy's own.
      const answerListed = connectionTokens([answerHeaders.connection ?? '']);
      const out = Object.fromEntries(Object.entries(answerHeaders).filter(([name]) => !notForwarded(name, answerListed) && name !== 'content-encoding'));
      res.writeHead(status, { ...out, 'content-length': String(Buffer.byteLength(answer)) });
      res.end(answer);
    } else {
      exchange.transportError = result.transportError;
      exchanges.push(exchange);
      const text = `errspec: the provider did not answer: ${result.transportError?.message ?? 'no response'}`;
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    }
  }

  const { port, url } = await listen(server);
  return {
    url,
    port,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
