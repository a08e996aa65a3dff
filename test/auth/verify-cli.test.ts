import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { startMock, type RunningMock } from '../../src/mock/server';
import { loadProfile } from '../../src/profile/load';
import { runCli, type CliResult } from '../helpers/cli';
import { json, startServer, type TestServer } from '../helpers/server';

const CLIENT_ID = 'cli-client-id-4b7e21';
const CLIENT_SECRET = 'cli-client-secret-c0ffee91';
const WRONG_SECRET = 'cli-wrong-secret-0badf00d';
const ENV = { OPESCARE_CLIENT_ID: CLIENT_ID, OPESCARE_CLIENT_SECRET: CLIENT_SECRET };

interface JsonReport {
  unreachable?: string;
  notes?: string[];
  exchanges: { id: string; ok: boolean; repro?: string; response: { status: number } | null; findings: { check: string; outcome: string; rule?: string; repro?: string }[] }[]; rules: Record<string, { source: string; text: string }>;
}

interface Outputs extends CliResult {
  report: JsonReport;
  /** stdout, stderr and every report file, for grepping. */
  all: string;
}

/** Run `errspec verify` with every report format, and collect everything it wrote. */
async function verify(args: string[], env: NodeJS.ProcessEnv): Promise<Outputs> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-auth-cli-'));
  const files = { json: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), html: path.join(dir, 'report.html'), summary: path.join(dir, 'summary.md') };
  const result = await runCli(['verify', ...args, '--json', files.json, '--junit', files.junit, '--html', files.html, '--summary', files.summary], env);
  const written = Object.values(files).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
  const report = JSON.parse(readFileSync(files.json, 'utf8')) as JsonReport;
  return { ...result, report, all: [result.stdout, result.stderr, ...written].join('\n') };
}

const byId = (report: JsonReport, id: string) => report.exchanges.find((e) => e.id === id);

describe('errspec verify with OAuth2 client credentials (built CLI)', () => {
  let mock: RunningMock | undefined;
  afterEach(async () => mock?.close());

  test('a bad client secret: exit 3, a checked invalid_client envelope, a clear message, and no credential anywhere', async () => {
    mock = await startMock(loadProfile('opescare'), { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
    const out = await verify(
      ['--vendor', 'opescare', '--base-url', mock.url, '--oauth-token-url', '/oauth/token', '--client-id-env', 'OPESCARE_CLIENT_ID', '--client-secret-env', 'OPESCARE_CLIENT_SECRET'],
      { ...ENV, OPESCARE_CLIENT_SECRET: WRONG_SECRET },
    );
    expect(out.code).toBe(3);
    expect(out.stdout).toContain('could not authenticate: the token endpoint refused the client: HTTP 401 invalid_client');
    expect(out.report.unreachable).toContain('invalid_client');
    const token = byId(out.report, 'oauth-token')!;
    expect(token.response?.status).toBe(401);
    expect(token.ok).toBe(true);
    expect(token.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ check: 'envelope-schema', outcome: 'pass' }),
      expect.objectContaining({ check: 'known-code', outcome: 'pass', rule: 'opescare.code.invalid_client' }),
      expect.objectContaining({ check: 'code-matches-status', outcome: 'pass' }),
    ]));
    // The finding cites its rule by id; the report's rules map describes it once.
    expect(out.report.rules['opescare.code.invalid_client']?.source).toBeTruthy();
    expect(mock.tokenRequests).toBe(1);
    for (const secret of [WRONG_SECRET, CLIENT_ID]) expect(out.all).not.toContain(secret);
  });

  test('the right secret, from the config, with HTTP Basic: exit 0, one token request, and no token, id or secret in any output', async () => {
    mock = await startMock(loadProfile('opescare'), { oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, faults: { rateLimitAfter: 8, retryAfter: '1' } });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-auth-config-'));
    const config = path.join(dir, 'errspec.yaml');
    writeFileSync(config, [
      'vendors:',
      '  opescare:',
      `    baseUrl: ${mock.url}`,
      '    auth: { oauthTokenUrl: /oauth/token, clientIdEnv: OPESCARE_CLIENT_ID, clientSecretEnv: OPESCARE_CLIENT_SECRET, oauthClientAuth: basic, scope: "patient:read" }',
    ].join('\n'));
    const out = await verify(['--vendor', 'opescare', '--config', config, '--rate-limit-probe'], ENV);
    expect(out.code).toBe(0);
    expect(mock.tokenRequests).toBe(1);
    expect(byId(out.report, 'unknown-patient')?.response?.status).toBe(404);
    expect(byId(out.report, 'rate-limited')?.response?.status).toBe(429);
    expect(out.report.notes?.join('\n')).toContain('client authentication: basic');
    expect(out.all).not.toMatch(/errspec-mock-token-[0-9a-f]/);
    for (const secret of [CLIENT_SECRET, CLIENT_ID, Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')]) expect(out.all).not.toContain(secret);
  });

  test.each([
    [['--oauth-token-url', '/oauth/token'], 'need all of --oauth-token-url, --client-id-env and --client-secret-env'],
    [['--oauth-token-url', '/oauth/token', '--client-id-env', 'OPESCARE_CLIENT_ID', '--client-secret-env', 'NOT_SET_ANYWHERE'], 'NOT_SET_ANYWHERE'],
    [['--oauth-token-url', '/t', '--client-id-env', 'OPESCARE_CLIENT_ID', '--client-secret-env', 'OPESCARE_CLIENT_SECRET', '--token-env', 'OPESCARE_CLIENT_ID'], 'not several'],
    [['--oauth-token-url', '/t', '--client-id-env', 'OPESCARE_CLIENT_ID', '--client-secret-env', 'OPESCARE_CLIENT_SECRET', '--oauth-client-auth', 'digest'], 'digest'],
    [['--concurrency', '0'], '--concurrency takes a whole number from 1 to 16, got "0"'],
    [['--max-wait', '2.5'], '--max-wait takes a whole number'],
  ])('misuse %j is exit 2 before any request: %s', async (args, message) => {
    const result = await runCli(['verify', '--vendor', 'opescare', '--base-url', 'http://127.0.0.1:1', ...args], ENV);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain(CLIENT_SECRET);
  });
});

describe('no credential reaches a report, a log line or a reproduction (built CLI)', () => {
  let server: TestServer | undefined;
  afterEach(async () => server?.close());

  /** A hostile target: it echoes every credential it was sent into its error bodies and headers. */
  const echo = (code: string, status: number) => (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const sent = String(req.headers.authorization ?? req.headers['x-api-key'] ?? 'none');
    json(res, status, { error: code, message: `you sent ${sent}`, status, echoed: sent }, { 'x-echo': sent, 'retry-after': '1' });
  };

  test('a bearer token from --token-env', async () => {
    const token = 'echoed-bearer-token-5a8c3f';
    server = await startServer(echo('token_invalid', 401));
    const out = await verify(['--vendor', 'opescare', '--base-url', server.url, '--token-env', 'OPESCARE_TOKEN', '--rate-limit-probe', '--max-requests', '3'], { OPESCARE_TOKEN: token });
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${token}`)).toBe(true);
    expect(out.all).not.toContain(token);
    const repros = out.report.exchanges.flatMap((e) => [e.repro ?? '', ...e.findings.map((f) => f.repro ?? '')]).join('\n');
    expect(repros).toContain('Bearer ${OPESCARE_TOKEN}');
  });

  test('an API key from --api-key-env', async () => {
    const key = 'echoed-api-key-9e1d77';
    server = await startServer(echo('UNAUTHORIZED', 401));
    const out = await verify(['--vendor', 'healthcloud', '--base-url', server.url, '--api-key-env', 'HC_KEY', '--api-key-header', 'x-api-key'], { HC_KEY: key });
    expect(server.requests.some((r) => r.headers['x-api-key'] === key)).toBe(true);
    expect(out.all).not.toContain(key);
    const repros = out.report.exchanges.flatMap((e) => [e.repro ?? '', ...e.findings.map((f) => f.repro ?? '')]).join('\n');
    expect(repros).toContain('${HC_KEY}');
  });

  test('an OAuth access token, client id and client secret', async () => {
    const accessToken = 'echoed-access-token-f00d42';
    server = await startServer((req, res) => {
      if (req.url === '/oauth/token') return json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 });
      echo('patient_not_found', 404)(req, res);
    });
    const out = await verify(
      ['--vendor', 'opescare', '--base-url', server.url, '--oauth-token-url', `${server.url}/oauth/token`, '--client-id-env', 'OPESCARE_CLIENT_ID', '--client-secret-env', 'OPESCARE_CLIENT_SECRET'],
      ENV,
    );
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${accessToken}`)).toBe(true);
    for (const secret of [accessToken, CLIENT_ID, CLIENT_SECRET]) expect(out.all).not.toContain(secret);
    const repros = out.report.exchanges.flatMap((e) => [e.repro ?? '', ...e.findings.map((f) => f.repro ?? '')]).join('\n');
    expect(repros).toContain('Bearer ${ERRSPEC_ACCESS_TOKEN}');
  });
});
