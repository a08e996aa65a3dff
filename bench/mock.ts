import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { request } from 'undici';
import { loadProfile } from '../src/profile/load';
import { mockCredential } from '../src/probes/credentials';
import { requestFor } from '../src/probes/request';
import { serveMock, spread, type Served, type Spread } from './util';

export interface MockFigures {
  path: string;
  /** errspec mock req/s / bare node http req/s, per pair. */
  ratio: Spread;
  mockRps: number;
  bareRps: number;
}

/** A bare node http server (its own process, as the mock is) answering every request with these bytes. */
function serveBare(status: number, headers: Record<string, string>, body: string): Promise<Served> {
  const script = `const http=require('node:http');const h=${JSON.stringify(headers)};const b=Buffer.from(${JSON.stringify(body)});
const s=http.createServer((q,r)=>{q.resume();r.writeHead(${status},h);r.end(b);});s.listen(0,'127.0.0.1',()=>console.log('listening on http://127.0.0.1:'+s.address().port));
process.on('SIGTERM',()=>s.close(()=>process.exit(0)));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      const m = /listening on (http:\/\/\S+)/.exec(d.toString());
      if (!m) return;
      resolve({ url: m[1], port: Number(new URL(m[1]).port), stop: () => new Promise<void>((done) => { child.once('exit', () => done()); child.kill('SIGTERM'); }) });
    });
  });
}

async function rps(url: string, method: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const result = await autocannon({ url, method: method as 'GET', headers, connections: 16, pipelining: 1, duration: seconds });
  if (result.non2xx + result['2xx'] === 0 || result.errors > 0) throw new Error(`autocannon ${url}: ${result.errors} errors`);
  return result.requests.average;
}

/**
 * `errspec mock` against a bare node http server returning the same status, headers and body bytes,
 * loaded by autocannon (16 connections) in this process: a warm-up, then `pairs` interleaved pairs.
 */
export async function benchMock(vendor: string, pairs: number, seconds: number, log: (line: string) => void): Promise<MockFigures> {
  const profile = loadProfile(vendor);
  const mock = await serveMock(vendor);
  const probe = profile.probes.find((p) => !p.writes && !p.burst && p.auth !== 'none') ?? profile.probes[0];
  const out = requestFor(probe, mock.url, profile.doc.ids, 'application/json');
  const credential = mockCredential(profile);
  const headers = { ...out.headers, [credential.header]: credential.value };
  const sample = await request(out.url, { method: out.method as 'GET', headers });
  const body = await sample.body.text();
  const answer: Record<string, string> = {};
  for (const [k, v] of Object.entries(sample.headers)) if (typeof v === 'string' && !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) answer[k] = v;
  const bare = await serveBare(sample.statusCode, answer, body);
  const path = new URL(out.url).pathname + new URL(out.url).search;
  log(`mock: ${vendor} ${out.method} ${path} (HTTP ${sample.statusCode}, ${Buffer.byteLength(body)} B) vs a bare node http server; warm-up + ${pairs} pairs of ${seconds} s`);
  const ratios: number[] = [];
  const mockRates: number[] = [];
  const bareRates: number[] = [];
  try {
    await rps(mock.url + path, out.method, headers, 1);
    await rps(bare.url + path, out.method, headers, 1);
    for (let i = 0; i < pairs; i++) {
      const m = await rps(mock.url + path, out.method, headers, seconds);
      const b = await rps(bare.url + path, out.method, headers, seconds);
      mockRates.push(m);
      bareRates.push(b);
      ratios.push(m / b);
    }
  } finally {
    await mock.stop();
    await bare.stop();
  }
  return { path, ratio: spread(ratios), mockRps: spread(mockRates).median, bareRps: spread(bareRates).median };
}
