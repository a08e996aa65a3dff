import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { OAuthClientSettings } from '../../src/auth/oauth';
import { bearer } from '../../src/probes/credentials';
import { HostPacer } from '../../src/probes/pacer';
import { runProbes } from '../../src/probes/run';
import { loadProfile } from '../../src/profile/load';

const opescare = loadProfile('opescare');
const credential = bearer('politeness-token-61c2', 'Bearer ${TOKEN}');

interface Arrival {
  at: number;
  method: string;
  url: string;
}

interface TimedServer {
  url: string;
  arrivals: Arrival[];
  /** Most requests the server was answering at one time. */
  maxInFlight: () => number;
  close(): Promise<void>;
}

/** A loopback server that notes when each request arrives (its own clock) and how many overlap. */
async function timedServer(answer: (index: number, req: http.IncomingMessage, res: http.ServerResponse) => void, delayMs = 0): Promise<TimedServer> {
  const arrivals: Arrival[] = [];
  let inFlight = 0;
  let most = 0;
  const server = http.createServer((req, res) => {
    arrivals.push({ at: performance.now(), method: req.method ?? '', url: req.url ?? '' });
    const index = arrivals.length - 1;
    inFlight++;
    most = Math.max(most, inFlight);
    res.on('finish', () => inFlight--);
    req.resume();
    req.on('end', () => setTimeout(() => answer(index, req, res), delayMs));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    maxInFlight: () => most,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const reply = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const limited = (res: http.ServerResponse, retryAfter: string) =>
  reply(res, 429, { error: 'rate_limit_exceeded', message: 'Too many requests in a short window.', status: 429 }, { 'retry-after': retryAfter });
const notFound = (res: http.ServerResponse) => reply(res, 404, { error: 'patient_not_found', message: 'No patient.', status: 404 });

describe('politeness is behaviour', () => {
  let server: TimedServer | undefined;
  afterEach(async () => server?.close());

  test('after a 429 with Retry-After: 2, the next request to that host comes at least 2 s later', async () => {
    server = await timedServer((i, _req, res) => (i === 0 ? limited(res, '2') : notFound(res)));
    const run = await runProbes(opescare, { baseUrl: server.url, credential });
    expect(server.arrivals.length).toBeGreaterThanOrEqual(2);
    const gap = server.arrivals[1].at - server.arrivals[0].at;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(run.notes?.some((n) => n.startsWith('honoured Retry-After: waited'))).toBe(true);
  });

  test('the wait holds back token requests to the same host too', async () => {
    let issued = 0;
    server = await timedServer((i, req, res) => {
      if (req.url === '/oauth/token') return reply(res, 200, { access_token: `tok-${++issued}-aa03`, token_type: 'Bearer', expires_in: 3600 });
      if (i <= 1) return limited(res, '2');
      notFound(res);
    });
    const oauth: OAuthClientSettings = {
      tokenUrl: `${server.url}/oauth/token`, clientId: 'cid-0f3a', clientSecret: 'csecret-77d1', clientIdEnv: 'CID', clientSecretEnv: 'CSECRET', clientAuth: 'body',
    };
    // No-credential probe first (answered 429, resent once after the wait, 429 again), then one that needs a
    // token: the token request is the next request, and it waits too.
    const run = await runProbes(opescare, { baseUrl: server.url, oauth, probes: opescare.probes.filter((p) => p.id === 'missing-credential' || p.id === 'unknown-patient') });
    expect(server.arrivals[1].url).toBe(server.arrivals[0].url);
    expect(server.arrivals[1].at - server.arrivals[0].at).toBeGreaterThanOrEqual(1900);
    expect(server.arrivals[2].url).toBe('/oauth/token');
    expect(server.arrivals[2].at - server.arrivals[1].at).toBeGreaterThanOrEqual(1900);
    const limitedProbe = run.exchanges.find((e) => e.id === 'missing-credential')!;
    expect(limitedProbe.findings.every((f) => f.outcome === 'error' && f.message.startsWith('RATE_LIMITED'))).toBe(true);
  });

  test('--max-wait caps a long Retry-After, and the run says so', async () => {
    server = await timedServer((i, _req, res) => (i === 0 ? limited(res, '3600') : notFound(res)));
    const run = await runProbes(opescare, { baseUrl: server.url, credential, maxWaitSeconds: 1 });
    expect(server.arrivals[1].at - server.arrivals[0].at).toBeGreaterThanOrEqual(900);
    expect(run.notes?.join('\n')).toContain('asked for Retry-After: 3600 (3600 s); errspec holds back at most --max-wait 1 s');
  });

  test('probes of one vendor never overlap by default; --concurrency N lets up to N run at once', async () => {
    server = await timedServer((_i, req, res) => (req.headers.authorization ? notFound(res) : reply(res, 401, { error: 'token_invalid', message: 'No.', status: 401 })), 80);
    await runProbes(opescare, { baseUrl: server.url, credential });
    expect(server.maxInFlight()).toBe(1);
    const sequential = server.arrivals.length;
    await server.close();

    server = await timedServer((_i, req, res) => (req.headers.authorization ? notFound(res) : reply(res, 401, { error: 'token_invalid', message: 'No.', status: 401 })), 80);
    await runProbes(opescare, { baseUrl: server.url, credential, concurrency: 3 });
    expect(server.maxInFlight()).toBeGreaterThan(1);
    expect(server.maxInFlight()).toBeLessThanOrEqual(3);
    expect(server.arrivals).toHaveLength(sequential);
  });
});

describe('HostPacer', () => {
  test('every concurrent caller waits for the deadline, a 429 seen meanwhile extends it, other hosts never wait', async () => {
    const pacer = new HostPacer(60);
    const started = performance.now();
    pacer.observe('h:1', { status: 429, headers: { 'retry-after': '1' }, body: '' });
    const ended: number[] = [];
    const waiters = [0, 1].map(() => pacer.wait('h:1').then(() => ended.push(performance.now() - started)));
    await pacer.wait('other:2');
    expect(performance.now() - started).toBeLessThan(900);
    // A concurrent probe's 429 while the others wait: everyone waits for the later deadline.
    pacer.observe('h:1', { status: 429, headers: { 'retry-after': '2' }, body: '' });
    pacer.observe('h:1', { status: 503, headers: { 'retry-after': 'soon' }, body: '' });
    await Promise.all(waiters);
    expect(ended).toHaveLength(2);
    for (const ms of ended) expect(ms).toBeGreaterThanOrEqual(1900);
    expect(pacer.waits.map((w) => w.askedSeconds)).toEqual([1, 2]);
  });

  test('an HTTP-date Retry-After is measured from the response Date', () => {
    const pacer = new HostPacer(600, () => Date.parse('Sun, 22 Nov 2026 10:00:00 GMT'));
    pacer.observe('h:1', { status: 429, headers: { 'retry-after': 'Sun, 22 Nov 2026 10:02:00 GMT', date: 'Sun, 22 Nov 2026 10:00:30 GMT' }, body: '' });
    expect(pacer.waits[0]).toEqual(expect.objectContaining({ askedSeconds: 90, cappedSeconds: 90 }));
  });
});
