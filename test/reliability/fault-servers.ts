import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** A misbehaving target on 127.0.0.1, port 0. */
export interface FaultServer {
  url: string;
  /** Requests (or, for raw TCP faults, connections) received. */
  readonly requests: number;
  close(): Promise<void>;
}

async function listen(server: net.Server, sockets: Set<net.Socket>, scheme: string, count: () => number): Promise<FaultServer> {
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    get requests() {
      return count();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Raw TCP: for faults below HTTP (never answering, resetting). */
export async function tcpFault(onConnection: (socket: net.Socket) => void): Promise<FaultServer> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    onConnection(socket);
  });
  return listen(server, new Set(), 'http', () => connections);
}

export type FaultHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** HTTP (or HTTPS with `tls`), with the request body read before the handler answers. */
export async function httpFault(handler: FaultHandler, tls?: { key: string; cert: string }): Promise<FaultServer> {
  let requests = 0;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests++;
    res.on('error', () => undefined);
    req.resume();
    req.on('end', () => handler(req, res));
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  return listen(server, new Set(), tls ? 'https' : 'http', () => requests);
}

export const envelope = (status: number, error: string): string => JSON.stringify({ error, message: `${error} happened`, status });

/** The opescare answer a conformant server gives each probe, keyed off the request only. */
export function opescareAnswer(req: http.IncomingMessage, res: http.ServerResponse): void {
  const answer = (status: number, code: string): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(envelope(status, code));
  };
  const auth = req.headers.authorization;
  if (!auth || auth.includes('errspec-invalid-credential')) return answer(401, 'token_invalid');
  if (req.url?.includes('/facilities/')) return answer(404, 'facility_not_found');
  if (req.method === 'POST') return answer(400, 'invalid_request');
  return answer(404, 'patient_not_found');
}

/** Write `chunk` again and again (forever when `total` is undefined) until done or the client hangs up. */
export function pour(res: http.ServerResponse, chunk: Buffer, total?: number): void {
  let sent = 0;
  const more = (): void => {
    while (!res.destroyed && (total === undefined || sent < total)) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/** A gzip body of `inflated` bytes of spaces: a few KiB on the wire. */
export function gzipBomb(inflated: number): Buffer {
  return gzipSync(Buffer.alloc(inflated, 0x20), { level: 9 });
}

/** A self-signed certificate for 127.0.0.1, made with the system's openssl. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-tls-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}
