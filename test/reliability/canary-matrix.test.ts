import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canary, ECHO_FORMS, expectNoCanary, hostileEcho, receivedCredentials, type Canary } from '../helpers/canary';
import { runCli, serveCli, type CliResult } from '../helpers/cli';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Issue 14 Done-when 1: secret kind x echo form x command x output finds no canary.
 * One hostile server echoes every credential it received in every echo form (ECHO_FORMS, all at once in each
 * answer: bodies, header values, a header name; the body cut by the cap inside a different secret each time).
 * One CLI run per (command, kind group); every output of that run is searched in every reading (raw, JSON-
 * unescaped, URL/form-decoded, base64-decoded).
 */
const K = {
  bearer: canary('bearer'),
  apiKey: canary('apikey', (c) => `CnRy-${c}`), // header-name characters: echoed as a header name too
  secretHeader: canary('sechdr'),
  basicUser: canary('bsuser', (c) => `cnry+${c}`),
  basicPass: canary('bspass'),
  clientId: canary('clid', (c) => `cnry+Client!${c}/Zq9=`), // form-encoded it is cnry%2BClient%21...
  clientSecret: canary('clsec'),
  issued: canary('issued'),
  cookie: canary('cookie', (c) => `cnry${c}`),
  query: canary('query'),
  jsonField: canary('jsonfld'),
};
const ALL: Canary[] = Object.values(K);
type Kind = keyof typeof K;
type Command = 'verify' | 'check' | 'proxy' | 'pact verify' | 'mock';

/**
 * The matrix: which command sends (or reads) which kind. Every applicable cell is run with ECHO_FORMS all at once;
 * a cell marked N/A says why.
 */
const MATRIX: Record<Kind, Record<Command, string>> = {
  bearer: { verify: '--token-env', check: 'Authorization in the HAR', proxy: 'client sends it', 'pact verify': '--token-env', mock: 'client sends it' },
  apiKey: { verify: '--api-key-env --api-key-header X-Goog-Api-Key', check: 'X-Goog-Api-Key in the HAR', proxy: 'X-Goog-Api-Key', 'pact verify': '--api-key-header X-Goog-Api-Key', mock: 'X-Goog-Api-Key' },
  secretHeader: { verify: 'N/A: verify sends only its configured credential', check: '--secret-header X-Tenant-Pass', proxy: '--secret-header X-Tenant-Pass', 'pact verify': 'N/A: no --secret-header', mock: 'X-Tenant-Pass' },
  basicUser: { verify: 'as the client id with --oauth-client-auth basic', check: 'Authorization: Basic in the HAR', proxy: 'Authorization: Basic', 'pact verify': 'N/A: pact verify has no Basic or OAuth', mock: 'Basic' },
  basicPass: { verify: 'as the client secret with --oauth-client-auth basic', check: 'Authorization: Basic', proxy: 'Authorization: Basic', 'pact verify': 'N/A', mock: 'Basic' },
  clientId: { verify: '--client-id-env, --oauth-client-auth body', check: 'client_id in a form body', proxy: 'client_id in a form body', 'pact verify': 'N/A', mock: 'N/A: the mock has no token endpoint' },
  clientSecret: { verify: '--client-secret-env', check: 'client_secret in a form body', proxy: 'client_secret in a form body', 'pact verify': 'N/A', mock: 'form body' },
  issued: { verify: 'issued by the hostile token endpoint', check: 'N/A: check reads a capture, nothing is issued', proxy: 'N/A: issued tokens pass through as Authorization (the bearer row)', 'pact verify': 'N/A', mock: 'N/A' },
  cookie: { verify: 'N/A: verify sends no cookie', check: 'two Cookie lines joined by ", "', proxy: 'Cookie', 'pact verify': 'N/A', mock: 'Cookie' },
  query: { verify: 'N/A: verify sends no query credential', check: '?access_token= in the HAR', proxy: '?access_token=', 'pact verify': 'N/A', mock: '?access_token=' },
  jsonField: { verify: 'N/A: verify sends no credential in a body', check: '{"token": ...} request body', proxy: '{"token": ...} request body', 'pact verify': 'N/A', mock: '{"token": ...} body' },
};
const kindsOf = (command: Command): Kind[] => (Object.keys(MATRIX) as Kind[]).filter((k) => !MATRIX[k][command].startsWith('N/A'));

const CAP = 32_768;
const ENV: NodeJS.ProcessEnv = {
  CANARY_TOKEN: K.bearer.value,
  CANARY_API_KEY: K.apiKey.value,
  CANARY_CLIENT_ID: K.clientId.value,
  CANARY_CLIENT_SECRET: K.clientSecret.value,
  CANARY_BASIC_USER: K.basicUser.value,
  CANARY_BASIC_PASS: K.basicPass.value,
};

/** The hostile target: a token endpoint issuing K.issued, and every other path answering 401 with every echo. */
function hostile(cap: number | undefined): Promise<TestServer & { cut: Set<string> }> {
  let issued = false;
  let count = 0;
  const cut = new Set<string>();
  return startServer((req, res, body) => {
    const received = receivedCredentials(req, body);
    const secrets = issued ? [...received, K.issued.value] : received;
    if (req.url?.startsWith('/oauth/token')) {
      const echo = hostileEcho([...new Set(secrets)], undefined, count++);
      issued = true;
      res.writeHead(200, { ...echo.headers, 'content-type': 'application/json' });
      res.end(`{"access_token":"${K.issued.value}","token_type":"Bearer","expires_in":3600,"echo":${echo.body}}`);
      return;
    }
    const { headers, body: answer, cut: victim } = hostileEcho([...new Set(secrets)], cap, count++);
    if (victim) cut.add(victim);
    res.writeHead(401, { ...headers, 'content-type': 'application/json' });
    res.end(answer);
  }).then((server) => Object.assign(server, { cut }));
}

const reportArgs = (dir: string): string[] => [
  '--json', path.join(dir, 'report.json'), '--junit', path.join(dir, 'junit.xml'), '--html', path.join(dir, 'report.html'), '--summary', path.join(dir, 'summary.md'),
];
const REPORTS = ['report.json', 'junit.xml', 'report.html', 'summary.md', 'github-step-summary.md'];

function freshDir(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-canary-matrix-'));
  const stepSummary = path.join(dir, 'github-step-summary.md');
  writeFileSync(stepSummary, '');
  return { dir, env: { ...ENV, GITHUB_STEP_SUMMARY: stepSummary } };
}

/** Every output of the run searched: stdout, stderr, each report file (the step summary included); the curl lines are in the reports. */
function expectClean(result: CliResult, dir: string, expectCurl = true): void {
  expectNoCanary(ALL, 'stdout', result.stdout);
  expectNoCanary(ALL, 'stderr', result.stderr);
  const files = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile());
  expect(files).toEqual(expect.arrayContaining(REPORTS));
  let all = '';
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    expect(text.length).toBeGreaterThan(0);
    expectNoCanary(ALL, f, text);
    all += text;
  }
  // The reports did show the hostile answers (so the echoes were really searched), redacted.
  expect(all).toContain('[REDACTED]');
  if (expectCurl) expect(all).toMatch(/curl /);
}

describe('canary matrix: no secret kind in any echo form reaches any output of any command', () => {
  let server: (TestServer & { cut: Set<string> }) | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('the matrix covers every kind and every form', () => {
    expect(ECHO_FORMS).toHaveLength(8);
    for (const command of ['verify', 'check', 'proxy', 'pact verify', 'mock'] as Command[]) expect(kindsOf(command).length).toBeGreaterThan(0);
    for (const kind of Object.keys(MATRIX) as Kind[]) expect(Object.values(MATRIX[kind]).some((cell) => !cell.startsWith('N/A'))).toBe(true);
  });

  const verifyGroups: [string, Kind[], string[]][] = [
    ['bearer', ['bearer'], ['--token-env', 'CANARY_TOKEN']],
    ['API key under X-Goog-Api-Key', ['apiKey'], ['--api-key-env', 'CANARY_API_KEY', '--api-key-header', 'X-Goog-Api-Key']],
    ['OAuth client id and secret in the body, the issued token', ['clientId', 'clientSecret', 'issued'], ['--oauth-token-url', '/oauth/token', '--client-id-env', 'CANARY_CLIENT_ID', '--client-secret-env', 'CANARY_CLIENT_SECRET']],
    ['OAuth --oauth-client-auth basic (Basic user and password), the issued token', ['basicUser', 'basicPass', 'issued'], ['--oauth-token-url', '/oauth/token', '--oauth-client-auth', 'basic', '--client-id-env', 'CANARY_BASIC_USER', '--client-secret-env', 'CANARY_BASIC_PASS']],
  ];
  test.each(verifyGroups)('verify: %s, every echo form, --max-body-bytes cut, every output', async (_name, kinds, args) => {
    for (const k of kinds) expect(kindsOf('verify')).toContain(k);
    server = await hostile(CAP);
    const { dir, env } = freshDir();
    const result = await runCli(['verify', '--vendor', 'opescare', '--base-url', server.url, '--max-body-bytes', String(CAP), '--debug', ...args, ...reportArgs(dir)], env);
    if (result.code !== 1) throw new Error(`exit ${result.code}: ${result.stdout}${result.stderr}`);
    expect(server.requests.length).toBeGreaterThan(1);
    // The body cap did cut into each kind of the group (the victim rotates with each answer).
    // (client id and secret go only to the token endpoint, whose answer is not cut: its issued token is, in the probes.)
    for (const k of kinds.filter((x) => x === 'bearer' || x === 'apiKey' || x === 'issued')) expect(server.cut).toContain(K[k].value);
    expectClean(result, dir);
  }, 60_000);

  test('check: every kind check reads, in a HAR the hostile server answered', async () => {
    server = await hostile(undefined);
    const { dir, env } = freshDir();
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(K.basicUser.value)}:${encodeURIComponent(K.basicPass.value)}`).toString('base64')}`;
    const requests: { method: string; url: string; headers: Record<string, string>; body?: string; mime?: string }[] = [
      { method: 'GET', url: `/api/v1/connect/patient/search?health_id=OPC-2024-99999&access_token=${encodeURIComponent(K.query.value)}`, headers: { authorization: `Bearer ${K.bearer.value}`, 'x-goog-api-key': K.apiKey.value, 'x-tenant-pass': K.secretHeader.value } },
      { method: 'GET', url: '/api/v1/connect/facilities/FAC-00000', headers: { authorization: basic, cookie: `a=${K.cookie.value}, b=${K.cookie.value}x` } },
      { method: 'POST', url: '/api/v1/connect/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: K.clientId.value, client_secret: K.clientSecret.value }).toString(), mime: 'application/x-www-form-urlencoded' },
      { method: 'POST', url: '/api/v1/connect/consents', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: K.jsonField.value }), mime: 'application/json' },
    ];
    const entries = [];
    for (const r of requests) {
      const res = await fetch(`${server.url}${r.url}`, { method: r.method, headers: r.headers, ...(r.body ? { body: r.body } : {}) });
      const text = await res.text();
      entries.push({
        request: { method: r.method, url: `https://api.example.test${r.url}`, headers: Object.entries(r.headers).map(([name, value]) => ({ name, value })), ...(r.body ? { postData: { mimeType: r.mime, text: r.body } } : {}) },
        // One undocumented status: a failing entry, so its curl reproduction is in the reports too.
        response: { status: r.url.includes('consents') ? 418 : res.status, headers: [...res.headers].map(([name, value]) => ({ name, value })), content: { mimeType: res.headers.get('content-type'), text } },
      });
    }
    const har = path.join(os.tmpdir(), `errspec-canary-matrix-${process.pid}.har`);
    writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 'canary-matrix', version: '1' }, entries } }));
    try {
      const result = await runCli(['check', har, '--vendor', 'opescare', '--secret-header', 'X-Tenant-Pass', ...reportArgs(dir)], env);
      expect(result.code).toBe(1);
      expect(readFileSync(path.join(dir, 'report.json'), 'utf8')).toContain('"exchanges"');
      expect((JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as { exchanges: unknown[] }).exchanges).toHaveLength(entries.length);
      expectClean(result, dir);
    } finally {
      rmSync(har);
    }
  }, 60_000);

  test('proxy: every kind a client sends through it, echoed by the target, --max-body-bytes cut', async () => {
    server = await hostile(CAP);
    const { dir, env } = freshDir();
    const proxy = await serve(['proxy', '--vendor', 'opescare', '--target', server.url, '--max-body-bytes', String(CAP), '--secret-header', 'X-Tenant-Pass', ...reportArgs(dir)], env);
    const basic = `Basic ${Buffer.from(`${K.basicUser.value}:${K.basicPass.value}`).toString('base64')}`;
    const sends: [string, string, Record<string, string>, string?][] = [
      ['GET', `/api/v1/connect/patient/search?health_id=OPC-2024-99999&access_token=${encodeURIComponent(K.query.value)}`, { authorization: `Bearer ${K.bearer.value}`, 'x-goog-api-key': K.apiKey.value, 'x-tenant-pass': K.secretHeader.value }],
      ['GET', '/api/v1/connect/facilities/FAC-00000', { authorization: basic, cookie: `a=${K.cookie.value}` }],
      ['POST', '/api/v1/connect/consents', { 'content-type': 'application/json' }, JSON.stringify({ token: K.jsonField.value })],
      ['POST', '/api/v1/connect/consents', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ grant_type: 'client_credentials', client_id: K.clientId.value, client_secret: K.clientSecret.value }).toString()],
    ];
    for (const [method, p, headers, body] of sends) await (await fetch(`${proxy.url}${p}`, { method, headers, ...(body ? { body } : {}) })).arrayBuffer();
    const result = await proxy.stop('SIGINT');
    expect(server.requests).toHaveLength(sends.length);
    expect(server.cut.size).toBeGreaterThan(1);
    expectClean(result, dir);
  }, 60_000);

  test.each([
    ['bearer', ['--token-env', 'CANARY_TOKEN']],
    ['API key under X-Goog-Api-Key', ['--api-key-env', 'CANARY_API_KEY', '--api-key-header', 'X-Goog-Api-Key']],
  ])('pact verify: %s, every echo form, every output', async (_name, args) => {
    if (!(await runCli(['pact', '--help'])).stdout.includes('verify')) return; // pact not built into this checkout
    server = await hostile(undefined);
    const { dir, env } = freshDir();
    const result = await runCli(['pact', 'verify', '--vendor', 'opescare', '--base-url', server.url, '--debug', ...args, ...reportArgs(dir)], env);
    expect(result.code).toBe(1);
    expect(server.requests.length).toBeGreaterThan(0);
    expectClean(result, dir, false);
  }, 90_000);

  test('mock: every kind sent to the reference mock stays out of its console and its answers', async () => {
    const { env } = freshDir();
    const mock = await serve(['mock', '--vendor', 'opescare', '--port', '0'], env);
    const answers: string[] = [];
    const basic = `Basic ${Buffer.from(`${K.basicUser.value}:${K.basicPass.value}`).toString('base64')}`;
    for (const [method, p] of [['GET', '/api/v1/connect/patient/search?health_id=OPC-2024-99999'], ['GET', '/api/v1/connect/facilities/FAC-00000'], ['POST', '/api/v1/connect/consents']]) {
      for (const authorization of [`Bearer ${K.bearer.value}`, basic]) {
        const res = await fetch(`${mock.url}${p}&access_token=${encodeURIComponent(K.query.value)}`.replace(/^([^?]*)&/, '$1?'), {
          method,
          headers: { authorization, 'x-goog-api-key': K.apiKey.value, 'x-tenant-pass': K.secretHeader.value, cookie: `s=${K.cookie.value}` },
          ...(method === 'POST' ? { body: JSON.stringify({ token: K.jsonField.value, client_secret: K.clientSecret.value }) } : {}),
        });
        answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
      }
    }
    const { code, stdout, stderr } = await mock.stop();
    expect(code).toBe(0);
    expect(answers).toHaveLength(6);
    expectNoCanary(ALL, 'mock answers', answers.join('\n'));
    expectNoCanary(ALL, 'mock stdout', stdout);
    expectNoCanary(ALL, 'mock stderr', stderr);
  }, 60_000);
});

/** Start a long-running command (mock, proxy): the address it prints, and a way to stop it. */
const serve = (args: string[], env: NodeJS.ProcessEnv) => serveCli(args, env);
