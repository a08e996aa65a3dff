import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { runCli, serveCli, type CliResult } from '../helpers/cli';
import { startServer, type TestServer } from '../helpers/server';

/**
 * Secrets errspec is given must appear in no output, even when a hostile target echoes them back.
 * Canaries look like real tokens (base64 characters included); each has a hex core that must not
 * leak either, so a secret cut or re-encoded by some writer is caught too.
 */
function canary(kind: string): { value: string; core: string } {
  const core = `${kind}${Math.random().toString(16).slice(2, 10)}${Date.now().toString(16)}`;
  return { value: `cnry+${core}/Zq9=`, core };
}
const TOKEN = canary('t0ken');
// An API key of header-name characters in mixed case: a target may echo it in a header name, which arrives lower-cased.
const API_KEY = ((c) => ({ value: `CnRy-${c.core}`, core: c.core }))(canary('Ap1Key'));
// A client id with a space and a `!`: form-encoded it is `Cnry+Client%21...`, which no URL-encoding of it matches (issue 14 item 4).
const CLIENT_ID = ((c) => ({ value: `Cnry Client!${c.core}/Zq9=`, core: c.core }))(canary('cl1ent'));
const CLIENT_SECRET = canary('s3cret');
const ISSUED = canary('1ssued'); // the access token the hostile token endpoint hands out
const BROKER = canary('br0ker');
const ALL = [TOKEN, API_KEY, CLIENT_ID, CLIENT_SECRET, ISSUED, BROKER];

const ENV = {
  CANARY_TOKEN: TOKEN.value,
  CANARY_API_KEY: API_KEY.value,
  CANARY_CLIENT_ID: CLIENT_ID.value,
  CANARY_CLIENT_SECRET: CLIENT_SECRET.value,
  PACT_BROKER_TOKEN: BROKER.value,
};

/** Every place a canary must not be: the text, and the forms a writer could turn it into. */
function expectNoCanary(where: string, text: string): void {
  const lower = text.toLowerCase();
  for (const c of ALL) {
    for (const form of [c.value, encodeURIComponent(c.value), JSON.stringify(c.value).slice(1, -1), c.core].map((f) => f.toLowerCase())) {
      const at = lower.indexOf(form);
      if (at >= 0) throw new Error(`canary ${c.core} leaked into ${where}: ...${text.slice(Math.max(0, at - 120), at + 60)}...`);
    }
  }
}

function expectNoCanaryInDir(dir: string): string[] {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());
  for (const f of files) expectNoCanary(f, readFileSync(path.join(dir, f), 'utf8'));
  return files;
}

/**
 * A target that echoes every credential it receives, and the secrets it was told the client holds,
 * back in bodies (JSON, HTML, invalid JSON, under secret and non-secret keys), in header values and in a header name.
 */
function hostileHandler(known: string[]) {
  let issued = false;
  return (req: http.IncomingMessage, res: http.ServerResponse, body: string): void => {
    // The issued token is echoed once issued: no client can redact a secret before it has it.
    const echo = known.filter((s) => s !== ISSUED.value || issued);
    const received = [req.headers.authorization, req.headers['x-api-key'], req.headers.cookie].filter((v): v is string => Boolean(v));
    const secrets = [...received, ...echo, body].filter(Boolean);
    const everything = secrets.join(' ');
    if (req.url?.startsWith('/oauth/token')) {
      issued = true;
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': everything });
      const escaped = [...received, ...echo].flatMap(jsonEscapedForms).map((e) => `"${e}"`).join(',');
      res.end(`${JSON.stringify({ access_token: ISSUED.value, token_type: 'Bearer', expires_in: 3600, echo: everything }).slice(0, -1)},"escaped":[${escaped}]}`);
      return;
    }
    const headers: Record<string, string> = {
      'www-authenticate': `Bearer realm="api", error="invalid_token", error_description="token ${everything} rejected"`,
      'x-echo-authorization': req.headers.authorization ?? 'none',
      'x-echo-all': everything,
      'set-cookie': `session=${secrets[0] ?? 'none'}; HttpOnly`,
      location: `https://elsewhere.example/?access_token=${encodeURIComponent(secrets[0] ?? '')}`,
    };
    // A header named after the secret: header names are echoed into reports too.
    for (const s of echo) if (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(s)) headers[`x-${s}`] = '1';
    if (req.method === 'POST') {
      res.writeHead(400, { ...headers, 'content-type': 'text/html' });
      res.end(`<html><body><h1>Bad request</h1><p>Authorization: ${req.headers.authorization ?? ''}</p><pre>${everything}</pre></body></html>`);
      return;
    }
    if (req.url?.includes('/facilities/')) {
      res.writeHead(404, { ...headers, 'content-type': 'application/json' });
      res.end(`{"error": "facility_not_found", "message": "${everything}`);
      return;
    }
    const echoed: Record<string, unknown> = {
      error: 'token_invalid',
      message: `token ${everything} is not valid`,
      status: 401,
      access_token: secrets[0],
      client_secret: CLIENT_SECRET.value,
      request: { headers: req.headers },
    };
    for (const s of echo) echoed[s] = 'a key named after the secret';
    // Echoes a reader decodes: JSON escapes that no byte-level match of the secret finds (issue 14 item 1).
    const escaped = [...received, ...echo].flatMap(jsonEscapedForms).map((e) => `"${e}"`).join(',');
    res.writeHead(401, { ...headers, 'content-type': 'application/json' });
    res.end(`${JSON.stringify(echoed).slice(0, -1)},"escaped":[${escaped}],"detail":"token ${escaped.replace(/"/g, '')} rejected"}`);
  };
}

function hostile(echo: string[]): Promise<TestServer> {
  return startServer(hostileHandler(echo));
}

/** How ASP.NET and PHP write a string in JSON: `+` as `\u002B`, `=` as `\u003d`, `/` as `\/`; and a writer escaping every character. */
function jsonEscapedForms(secret: string): string[] {
  const plain = JSON.stringify(secret).slice(1, -1);
  const aspnetPhp = plain.replace(/\+/g, '\\u002B').replace(/=/g, '\\u003d').replace(/\//g, '\\/');
  const every = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  return [aspnetPhp, every];
}

/** Run errspec with every canary in the environment, all reports into a fresh directory; return what to search. */
async function run(args: (dir: string) => string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult & { dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-canary-'));
  const stepSummary = path.join(dir, 'github-step-summary.md');
  writeFileSync(stepSummary, '');
  const result = await runCli(args(dir), { ...ENV, GITHUB_STEP_SUMMARY: stepSummary, ...extraEnv });
  return { ...result, dir };
}

const reportArgs = (dir: string): string[] => [
  '--json', path.join(dir, 'report.json'), '--junit', path.join(dir, 'junit.xml'), '--html', path.join(dir, 'report.html'), '--summary', path.join(dir, 'summary.md'),
];

function expectClean(result: CliResult & { dir: string }, expectedFiles: string[] = ['report.json', 'junit.xml', 'report.html', 'summary.md']): void {
  expectNoCanary('stdout', result.stdout);
  expectNoCanary('stderr', result.stderr);
  const files = expectNoCanaryInDir(result.dir);
  expect(files).toEqual(expect.arrayContaining(expectedFiles));
  // The step summary was really written (so it was really searched).
  expect(readFileSync(path.join(result.dir, 'github-step-summary.md'), 'utf8').length).toBeGreaterThan(0);
}

const verifyHelp = (): Promise<string> => runCli(['verify', '--help']).then((r) => r.stdout);

describe('no secret reaches any output, even echoed back by a hostile target', () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  test('verify with a bearer token (--token-env), every report, --debug', async () => {
    server = await hostile([TOKEN.value]);
    const result = await run((dir) => ['verify', '--vendor', 'opescare', '--base-url', server.url, '--token-env', 'CANARY_TOKEN', '--debug', ...reportArgs(dir)]);
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(5);
    expectClean(result);
    // The reports do show what happened, with the secret replaced.
    expect(readFileSync(path.join(result.dir, 'report.json'), 'utf8')).toContain('[REDACTED]');
    expect(readFileSync(path.join(result.dir, 'junit.xml'), 'utf8')).toContain('${CANARY_TOKEN}');
  });

  test('verify with an API key (--api-key-env), the JSON report on stdout', async () => {
    server = await hostile([API_KEY.value]);
    const result = await run(() => ['verify', '--vendor', 'opescare', '--base-url', server.url, '--api-key-env', 'CANARY_API_KEY', '--api-key-header', 'x-api-key', '--json', '-']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).vendor).toBe('opescare');
    expectClean(result, []);
  });

  test('verify with the credential named in --config', async () => {
    server = await hostile([TOKEN.value]);
    const result = await run((dir) => {
      const config = path.join(dir, 'errspec.yaml');
      writeFileSync(config, `vendors:\n  opescare:\n    baseUrl: ${server.url}\n    auth:\n      tokenEnv: CANARY_TOKEN\n`);
      return ['verify', '--vendor', 'opescare', '--config', config, ...reportArgs(dir)];
    });
    expect(result.code).toBe(1);
    expect(server.requests).toHaveLength(5);
    expectClean(result);
  });

  test('verify with OAuth client credentials: client id, secret and the issued token', async () => {
    if (!(await verifyHelp()).includes('--client-secret-env')) return; // OAuth not built into this checkout
    server = await hostile([CLIENT_ID.value, CLIENT_SECRET.value, ISSUED.value]);
    const result = await run((dir) => [
      'verify', '--vendor', 'opescare', '--base-url', server.url, '--oauth-token-url', '/oauth/token',
      '--client-id-env', 'CANARY_CLIENT_ID', '--client-secret-env', 'CANARY_CLIENT_SECRET', ...reportArgs(dir),
    ]);
    expect(result.code).not.toBe(2);
    expect(server.requests.length).toBeGreaterThan(1);
    expectClean(result);
  });

  test.each(['basic', 'body'])('issue 14 items 2 and 4: verify with --oauth-client-auth %s: a refused token request (Basic, form-encoded id) and its echoes stay out', async (method) => {
    // A token endpoint that refuses the client, echoing its Basic header: the refusal is the `oauth-token` exchange in every report.
    const echoing = hostileHandler([CLIENT_ID.value, CLIENT_SECRET.value]);
    server = await startServer((req, res, body) => {
      if (!req.url?.startsWith('/oauth/token')) return echoing(req, res, body);
      const auth = req.headers.authorization ?? `Basic ${Buffer.from(body).toString('base64')}`;
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': `Basic realm="${auth}"`, 'x-echo': auth });
      res.end(`{"error":"invalid_client","error_description":"client ${auth} ${auth.slice(6)} ${jsonEscapedForms(auth.slice(6)).join(' ')} ${body} refused"}`);
    });
    const result = await run((dir) => [
      'verify', '--vendor', 'opescare', '--base-url', server.url, '--oauth-token-url', '/oauth/token', '--oauth-client-auth', method,
      '--client-id-env', 'CANARY_CLIENT_ID', '--client-secret-env', 'CANARY_CLIENT_SECRET', ...reportArgs(dir),
    ]);
    expect(result.code).not.toBe(2);
    const token = server.requests.find((r) => r.url?.startsWith('/oauth/token'));
    expect(token).toBeDefined();
    expectClean(result);
    // The HTML shows the refused token request ("Request (redacted)"): its form body carries the id form-encoded.
    expect(readFileSync(path.join(result.dir, 'report.html'), 'utf8')).toContain('oauth-token');
    const base64 = method === 'basic' ? token!.headers.authorization!.slice('Basic '.length) : encodeURIComponent(CLIENT_ID.value);
    for (const f of readdirSync(result.dir)) expect(readFileSync(path.join(result.dir, f), 'utf8')).not.toContain(base64);
    expect(result.stdout).not.toContain(base64);
  });

  test('issue 14 item 5: verify --max-body-bytes cutting an echoed token keeps none of its first characters', async () => {
    const head = '{"error":"token_invalid","status":401,"message":"you sent ';
    const cutAt = 1024;
    // The cut falls 12 characters into the token: past its `cnry+` and into its core.
    server = await startServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(`${head}${'x'.repeat(cutAt - head.length - 12)}${TOKEN.value} rejected"}`);
    });
    const result = await run((dir) => ['verify', '--vendor', 'opescare', '--base-url', server.url, '--token-env', 'CANARY_TOKEN', '--max-body-bytes', String(cutAt), ...reportArgs(dir)]);
    expect(result.code).toBe(1);
    expectClean(result);
    const prefix = TOKEN.value.slice(0, 12);
    for (const f of readdirSync(result.dir)) expect(readFileSync(path.join(result.dir, f), 'utf8')).not.toContain(prefix);
    expect(readFileSync(path.join(result.dir, 'report.html'), 'utf8')).toContain('xxxx[REDACTED]'); // the HTML shows the cut body
  });

  test('usage errors and --debug stack traces name variables, never their values', async () => {
    const bad = await run((dir) => {
      const config = path.join(dir, 'bad.yaml');
      writeFileSync(config, 'vendors:\n  opescare:\n    auth: [unclosed\n');
      return ['verify', '--vendor', 'opescare', '--token-env', 'CANARY_TOKEN', '--config', config, '--debug'];
    });
    expect(bad.code).toBe(2);
    expectNoCanary('stderr', bad.stderr);
    // A password in the target URL would be in every report: refused, and not repeated in the message.
    const url = await run(() => ['verify', '--vendor', 'opescare', '--token-env', 'CANARY_TOKEN', '--base-url', `https://user:${TOKEN.core}@api.example.test/`]);
    expect(url.code).toBe(2);
    expect(url.stderr).toBe('errspec: --base-url must not carry credentials (user:password@): use --token-env or --api-key-env\n');
  });

  test('issue 14 item 4: a config file baseUrl with user:password@ is refused (exit 2) without repeating the password', async () => {
    for (const key of ['baseUrl', 'oauthTokenUrl']) {
      const result = await run((dir) => {
        const config = path.join(dir, 'errspec.yaml');
        const url = `https://user:${TOKEN.core}@api.example.test/`;
        writeFileSync(config, key === 'baseUrl' ? `vendors:\n  opescare:\n    baseUrl: ${url}\n` : `vendors:\n  opescare:\n    baseUrl: https://api.example.test\n    auth:\n      oauthTokenUrl: ${url}\n`);
        return ['verify', '--vendor', 'opescare', '--config', config, '--debug'];
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`errspec\\.yaml:\\d+.*config invalid: vendors\\.opescare\\.(auth\\.)?${key} must not carry credentials`));
      expectNoCanary('stderr', result.stderr);
      expectNoCanary('stdout', result.stdout);
    }
  });

  test('check: credentials inside a HAR file (headers, cookies, query, form and JSON bodies)', async () => {
    const result = await run((dir) => {
      const har = path.join(dir, 'capture.har');
      const entry = {
        request: {
          method: 'POST',
          url: `https://api.example.test/oauth/token?access_token=${encodeURIComponent(TOKEN.value)}`,
          headers: [
            { name: 'Authorization', value: `Bearer ${TOKEN.value}` },
            { name: 'Cookie', value: `session=${TOKEN.value}` },
            { name: 'X-API-Key', value: API_KEY.value },
          ],
          postData: { mimeType: 'application/x-www-form-urlencoded', text: `grant_type=client_credentials&client_id=x&client_secret=${encodeURIComponent(CLIENT_SECRET.value)}` },
        },
        response: {
          status: 401,
          // The target echoed the request's token bare, in a header value and in the body: only the request says it is a secret.
          headers: [{ name: 'Content-Type', value: 'text/html' }, { name: 'Set-Cookie', value: `session=${TOKEN.value}` }, { name: 'X-Echo', value: `you sent ${TOKEN.value}` }],
          content: { mimeType: 'text/html', text: `<p>"access_token": "${ISSUED.value}"</p> Authorization: Bearer ${TOKEN.value} <pre>token ${TOKEN.value} and key ${API_KEY.value} rejected</pre>` },
        },
      };
      const json = { ...entry, response: { ...entry.response, headers: [{ name: 'Content-Type', value: 'application/json' }], content: { mimeType: 'application/json', text: `${JSON.stringify({ error: 'token_invalid', access_token: ISSUED.value, client_secret: CLIENT_SECRET.value, message: 'no', status: 401 }).slice(0, -1)},"escaped":[${[TOKEN, API_KEY].flatMap((c) => jsonEscapedForms(c.value)).map((e) => `"${e}"`).join(',')}]}` } } };
      writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 'canary', version: '1' }, entries: [entry, json] } }));
      return ['check', har, '--vendor', 'opescare', ...reportArgs(dir)];
    });
    expect(result.code).toBe(1);
    // The HAR itself holds the canaries: search the outputs only.
    const { rmSync } = await import('node:fs');
    rmSync(path.join(result.dir, 'capture.har'));
    expectClean(result);
  });

  test('issue 14 item 3: check learns every credential-shaped header, parameter and JSON field, and --secret-header/--secret-param', async () => {
    const kinds = ['ocp', 'xapitok', 'xacc', 'priv', 'goog', 'amz', 'vendkey', 'qapikey', 'qtoken', 'qkey', 'qsub', 'jtoken', 'jsecret', 'jpriv', 'cook1', 'cook2', 'custh', 'custp'];
    const c = Object.fromEntries(kinds.map((k) => [k, canary(k)]));
    ALL.push(...Object.values(c));
    try {
      const result = await run((dir) => {
        const har = path.join(dir, 'capture.har');
        const query = `api-key=${c.qapikey.value}&token=${c.qtoken.value}&key=${c.qkey.value}&subscription-key=${c.qsub.value}&tenant=${c.custp.value}`;
        const entry = {
          request: {
            method: 'POST',
            url: `https://api.example.test/api/v1/connect/consents?${new URLSearchParams(query).toString()}`,
            headers: [
              ['Ocp-Apim-Subscription-Key', c.ocp], ['X-Api-Token', c.xapitok], ['X-Access-Token', c.xacc], ['Private-Token', c.priv],
              ['X-Goog-Api-Key', c.goog], ['X-Amz-Security-Token', c.amz], ['X-Vendor-Api-Key', c.vendkey], ['X-Tenant-Pass', c.custh],
            ].map(([name, v]) => ({ name, value: (v as { value: string }).value })).concat(
              // Two Cookie lines, joined by `, ` as some tools write them.
              [{ name: 'Cookie', value: `a=${c.cook1.value}, b=${c.cook2.value}` }],
            ) as { name: string; value: string }[],
            postData: { mimeType: 'application/json', text: JSON.stringify({ token: c.jtoken.value, nested: { secret: c.jsecret.value, privateKey: c.jpriv.value } }) },
          },
          response: {
            status: 401,
            headers: [{ name: 'Content-Type', value: 'application/json' }],
            content: { mimeType: 'application/json', text: JSON.stringify({ error: 'token_invalid', status: 401, message: `rejected ${Object.values(c).map((x) => x.value).join(' ')}` }) },
          },
        };
        writeFileSync(har, JSON.stringify({ log: { version: '1.2', creator: { name: 'canary', version: '1' }, entries: [entry] } }));
        return ['check', har, '--vendor', 'opescare', '--secret-header', 'X-Tenant-Pass', '--secret-param', 'tenant', ...reportArgs(dir)];
      });
      expect(result.code).toBe(0); // a documented envelope: only the redaction is under test
      const { rmSync } = await import('node:fs');
      rmSync(path.join(result.dir, 'capture.har'));
      expectClean(result);
    } finally {
      ALL.splice(ALL.length - kinds.length, kinds.length);
    }
  });

  test('mock: credentials sent to the reference mock are not logged or echoed', async () => {
    const { url, stop } = await serve(['mock', '--vendor', 'opescare', '--port', '0']);
    const answers: string[] = [];
    for (const [method, p] of [['GET', '/api/v1/connect/patient/search?health_id=OPC-2024-99999'], ['GET', '/api/v1/connect/facilities/FAC-00000'], ['POST', '/api/v1/connect/consents']]) {
      for (const credential of [`Bearer ${TOKEN.value}`, 'Bearer errspec-invalid-credential']) {
        const res = await fetch(`${url}${p}`, {
          method,
          headers: { authorization: credential, 'x-api-key': API_KEY.value, cookie: `s=${TOKEN.value}` },
          ...(method === 'POST' ? { body: `{"client_secret": "${CLIENT_SECRET.value}"` } : {}),
        });
        answers.push(`${res.status} ${JSON.stringify([...res.headers])} ${await res.text()}`);
      }
    }
    const { code, stdout, stderr } = await stop();
    expect(code).toBe(0);
    expectNoCanary('mock answers', answers.join('\n'));
    expectNoCanary('mock stdout', stdout);
    expectNoCanary('mock stderr', stderr);
  });

  test('proxy: credentials a client sends through it, echoed back by the target, stay out of its reports', async () => {
    if (!(await runCli(['--help'])).stdout.includes('proxy [options]')) return; // proxy not built into this checkout
    server = await hostile([]);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-canary-'));
    writeFileSync(path.join(dir, 'github-step-summary.md'), '');
    const { url, stop } = await serve(['proxy', '--vendor', 'opescare', '--target', server.url, ...reportArgs(dir)], { GITHUB_STEP_SUMMARY: path.join(dir, 'github-step-summary.md') });
    for (const [method, p] of [['GET', '/api/v1/connect/patient/search?health_id=OPC-2024-99999'], ['GET', '/api/v1/connect/facilities/FAC-00000'], ['POST', '/api/v1/connect/consents']]) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN.value}`, 'x-api-key': API_KEY.value, cookie: `s=${TOKEN.value}` },
        ...(method === 'POST' ? { body: `{"client_secret": "${CLIENT_SECRET.value}"}` } : {}),
      });
      // The client gets the target's answer unchanged (its own secrets included): only errspec's outputs are searched.
      await res.arrayBuffer();
    }
    const result = await stop('SIGINT');
    expect(server.requests).toHaveLength(3);
    expectClean({ ...result, dir });
  });

  test('pact verify against a hostile provider, pact generate: no secret in reports, output or pact files', async () => {
    if (!(await runCli(['pact', '--help'])).stdout.includes('verify')) return; // pact not built into this checkout
    server = await hostile([TOKEN.value]);
    const result = await run((dir) => ['pact', 'verify', '--vendor', 'opescare', '--base-url', server.url, '--token-env', 'CANARY_TOKEN', '--debug', ...reportArgs(dir)]);
    expect(result.code).toBe(1);
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.some((r) => r.headers.authorization === `Bearer ${TOKEN.value}`)).toBe(true);
    expectClean(result);
    const generated = await run((dir) => ['pact', 'generate', '--out', path.join(dir, 'pacts'), '--vendor', 'opescare']);
    expect(generated.code).toBe(0);
    expectNoCanary('stdout', generated.stdout);
    expect(expectNoCanaryInDir(generated.dir).some((f) => f.endsWith('.json'))).toBe(true);
  });

  test('pact publish to a hostile broker that echoes the broker token', async () => {
    if (!(await runCli(['pact', '--help'])).stdout.includes('publish')) return; // pact not built into this checkout
    server = await hostile([BROKER.value]);
    const result = await run(() => ['pact', 'publish', '--consumer-app-version', '1.0.0-canary', '--branch', 'main'], { PACT_BROKER_BASE_URL: server.url });
    expect(result.code).not.toBe(0);
    // The token did go to the broker (it is the broker's), and came back in its answers.
    expect(server.requests.some((r) => (r.headers.authorization ?? '').includes(BROKER.value))).toBe(true);
    expectNoCanary('stdout', result.stdout);
    expectNoCanary('stderr', result.stderr);
  });
});

/** Start a long-running command (mock, proxy): the address it prints, and a way to stop it. */
const serve = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => serveCli(args, { ...ENV, ...extraEnv });
