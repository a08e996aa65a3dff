import type http from 'node:http';
import { bearer } from '../../src/probes/credentials';
import { runProbes } from '../../src/probes/run';
import { loadProfile } from '../../src/profile/load';
import type { Profile } from '../../src/profile/profile';
import type { EvaluatedExchange, Finding, VendorRun } from '../../src/types';
import { json, startServer, type TestServer } from '../helpers/server';

const TOKEN = 'rate-limit-test-token-3d9f';

/** The vendor's documented 429 (its reference mock answer), with headers changed as `headers` says (undefined removes one). */
function vendor429(profile: Profile, headers: Record<string, string | undefined> = {}): { status: number; body: unknown; headers: Record<string, string> } {
  const burst = profile.probes.find((p) => p.burst)!;
  const merged: Record<string, string | undefined> = { 'content-type': profile.doc.envelope.mediaTypes[0], ...burst.mock.headers, ...headers };
  const defined = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as Record<string, string>;
  return { status: 429, body: burst.mock.body, headers: defined };
}

/** A server that answers 200 `{}` to the first `okFirst` requests, then the given 429. */
async function limitingServer(answer: () => ReturnType<typeof vendor429>, okFirst = 2): Promise<TestServer> {
  let seen = 0;
  return startServer((_req, res) => {
    if (++seen <= okFirst) return json(res, 200, {});
    const { status, body, headers } = answer();
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  });
}

/** Only the vendor's burst probe, with the rate-limit probe on. */
async function burst(profile: Profile, server: TestServer, maxRequests = 60): Promise<VendorRun> {
  return runProbes(profile, {
    baseUrl: server.url,
    credential: bearer(TOKEN, 'Bearer ${TOKEN}'),
    probes: profile.probes.filter((p) => p.burst),
    rateLimitProbe: true,
    maxRequests,
  });
}

const finding = (exchange: EvaluatedExchange, check: string): Finding => {
  const found = exchange.findings.find((f) => f.check === check);
  if (!found) throw new Error(`no ${check} finding: ${exchange.findings.map((f) => f.check).join(', ')}`);
  return found;
};
const failing = (exchange: EvaluatedExchange) => exchange.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error').map((f) => `${f.check}: ${f.message}`);

describe('rate-limit probing: the first 429 of a bounded burst is checked', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  test.each([
    ['opescare', 'fail'],
    ['healthcloud', 'fail'],
    ['medblocks', 'warn'],
    ['nhs-england', 'warn'],
  ])('a 429 without Retry-After: %s, which %s', async (vendor, outcome) => {
    const profile = loadProfile(vendor);
    server = await limitingServer(() => vendor429(profile, { 'retry-after': undefined }));
    const run = await burst(profile, server);
    const exchange = run.exchanges[0];
    expect(exchange.response?.status).toBe(429);
    // The burst stops at the first 429: two answers of 200, then the 429.
    expect(server.requests).toHaveLength(3);
    const headers = finding(exchange, 'required-headers');
    expect(headers.outcome).toBe(outcome === 'fail' ? 'fail' : 'warn');
    expect(headers.message).toContain('Retry-After is missing');
    expect(headers.rule?.id).toBe(`${vendor}.retry-after`);
    // Only the missing header is wrong: the envelope and code of the 429 are the vendor's.
    expect(failing(exchange).filter((f) => !f.startsWith('required-headers'))).toEqual([]);
    expect(finding(exchange, 'retry-after-syntax').outcome).toBe('skip');
  });

  test.each(['opescare', 'healthcloud', 'medblocks', 'nhs-england'])('%s: the documented 429 with Retry-After passes', async (vendor) => {
    const profile = loadProfile(vendor);
    server = await limitingServer(() => vendor429(profile, { 'retry-after': '12' }));
    const exchange = (await burst(profile, server)).exchanges[0];
    expect(failing(exchange)).toEqual([]);
    expect(finding(exchange, 'retry-after-syntax').outcome).toBe('pass');
    expect(finding(exchange, 'probe-status').outcome).toBe('pass');
  });

  test.each(['12.5', '-5', 'soon', '12 seconds'])('Retry-After "%s" fails retry-after-syntax (RFC 9110 delay-seconds is 1*DIGIT)', async (value) => {
    const profile = loadProfile('opescare');
    server = await limitingServer(() => vendor429(profile, { 'retry-after': value }));
    const syntax = finding((await burst(profile, server)).exchanges[0], 'retry-after-syntax');
    expect(syntax.outcome).toBe('fail');
    expect(syntax.rule?.id).toBe('rfc9110.retry-after-syntax');
    expect(syntax.actual).toBe(value);
  });

  test('Retry-After as an IMF-fixdate passes', async () => {
    const profile = loadProfile('opescare');
    server = await limitingServer(() => vendor429(profile, { 'retry-after': new Date(Date.now() + 5_000).toUTCString() }));
    const exchange = (await burst(profile, server)).exchanges[0];
    expect(finding(exchange, 'retry-after-syntax').outcome).toBe('pass');
    expect(finding(exchange, 'required-headers').outcome).toBe('pass');
  });

  test('a Retry-After over one hour is only a warning', async () => {
    const profile = loadProfile('opescare');
    server = await limitingServer(() => vendor429(profile, { 'retry-after': '7200' }));
    const syntax = finding((await burst(profile, server, 5)).exchanges[0], 'retry-after-syntax');
    expect(syntax.outcome).toBe('warn');
    expect(syntax.rule?.id).toBe('rfc9110.retry-after-bound');
  });

  describe('healthcloud X-RateLimit-*', () => {
    const healthcloud = loadProfile('healthcloud');
    const future = () => String(Math.floor(Date.now() / 1000) + 60);

    test('Remaining 0 and a Reset after the response Date pass', async () => {
      server = await limitingServer(() => vendor429(healthcloud, { 'x-ratelimit-reset': future() }));
      const exchange = (await burst(healthcloud, server)).exchanges[0];
      expect(exchange.response?.headers.date).toBeDefined();
      expect(failing(exchange)).toEqual([]);
      expect(finding(exchange, 'rate-limit-headers').outcome).toBe('pass');
    });

    test('a Reset that is not after the response Date fails', async () => {
      server = await limitingServer(() => vendor429(healthcloud, { 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) - 3600) }));
      const headers = finding((await burst(healthcloud, server)).exchanges[0], 'required-headers');
      expect(headers.outcome).toBe('fail');
      expect(headers.rule?.id).toBe('healthcloud.x-ratelimit-reset');
      expect(headers.message).toContain('is not after the response Date');
    });

    test('Remaining other than 0 on a 429 fails', async () => {
      server = await limitingServer(() => vendor429(healthcloud, { 'x-ratelimit-remaining': '5', 'x-ratelimit-reset': future() }));
      const headers = finding((await burst(healthcloud, server)).exchanges[0], 'required-headers');
      expect(headers.outcome).toBe('fail');
      expect(headers.rule?.id).toBe('healthcloud.x-ratelimit-remaining');
    });

    test('a missing X-RateLimit-Limit fails: the seed documents it on 429', async () => {
      server = await limitingServer(() => vendor429(healthcloud, { 'x-ratelimit-limit': undefined, 'x-ratelimit-reset': future() }));
      const headers = finding((await burst(healthcloud, server)).exchanges[0], 'required-headers');
      expect(headers.outcome).toBe('fail');
      expect(headers.rule?.id).toBe('healthcloud.x-ratelimit-limit');
    });
  });

  describe('IETF draft RateLimit / RateLimit-Policy, when present', () => {
    const opescare = loadProfile('opescare');

    test('well-formed fields pass', async () => {
      server = await limitingServer(() => vendor429(opescare, { ratelimit: '"default";r=0;t=12', 'ratelimit-policy': '"default";q=100;w=60' }));
      const headers = finding((await burst(opescare, server)).exchanges[0], 'rate-limit-headers');
      expect(headers.outcome).toBe('pass');
      expect(headers.message).toContain('ratelimit: "default";r=0;t=12');
    });

    test.each([
      ['ratelimit', '"default";r=0;t=1.5'],
      ['ratelimit', '"default";r=-1;t=12'],
      ['ratelimit-policy', '"default";q=100;w=one-minute'],
    ])('%s: %s fails (counts are non-negative integers)', async (name, value) => {
      server = await limitingServer(() => vendor429(opescare, { [name]: value }));
      const headers = finding((await burst(opescare, server)).exchanges[0], 'rate-limit-headers');
      expect(headers.outcome).toBe('fail');
      expect(headers.rule?.id).toBe('ietf-ratelimit.header-syntax');
    });
  });

  test('a server that never rate-limits: the checks are skipped, and it gets the budget plus one request per other probe, no more', async () => {
    const profile = loadProfile('opescare');
    server = await startServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!req.headers.authorization) return json(res, 401, { error: 'token_invalid', message: 'Bearer token missing.', status: 401 });
      json(res, 404, { error: 'patient_not_found', message: 'No patient.', status: 404 });
    });
    const maxRequests = 7;
    const others = profile.probes.filter((p) => !p.burst && !p.writes);
    for (const concurrency of [1, 3]) {
      server.requests.length = 0;
      const run = await runProbes(profile, { baseUrl: server.url, credential: bearer(TOKEN, 'Bearer ${TOKEN}'), rateLimitProbe: true, maxRequests, concurrency });
      expect(server.requests.length).toBeLessThanOrEqual(maxRequests + others.length);
      expect(server.requests).toHaveLength(maxRequests + others.length);
      const limited = run.exchanges.find((e) => e.id === 'rate-limited')!;
      expect(limited.ok).toBe(true);
      expect(limited.response?.status).toBe(404);
      expect(limited.findings.length).toBeGreaterThan(0);
      for (const f of limited.findings) {
        expect(f.outcome).toBe('skip');
        expect(f.message).toBe(`no 429 within ${maxRequests} requests (--max-requests ${maxRequests}): the rate limit was not reached, so its checks are skipped`);
      }
      expect(run.notes).toContain(`rate-limited: no 429 within ${maxRequests} requests (--max-requests ${maxRequests}): the rate limit was not reached, so its checks are skipped`);
    }
  });

  test('a burst whose credential is refused stops at once instead of spending the budget', async () => {
    const profile = loadProfile('opescare');
    server = await startServer((_req, res) => json(res, 401, { error: 'token_invalid', message: 'Malformed or revoked token.', status: 401 }));
    const run = await burst(profile, server, 50);
    expect(server.requests).toHaveLength(1);
    expect(finding(run.exchanges[0], 'probe-status').outcome).toBe('fail');
  });
});
