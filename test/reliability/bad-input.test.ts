import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, runCli } from '../helpers/cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-bad-input-'));
const file = (name: string, content: string): string => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

const goodHar = file('good.har', JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, entries: [] } }));
const opescare = readFileSync(path.join(ROOT, 'contracts', 'vendors', 'opescare.yaml'), 'utf8');
/** 1-based line of the first match: the line errspec must name. */
const lineOf = (text: string, pattern: RegExp): number => text.slice(0, text.search(pattern)).split('\n').length;

interface Case {
  name: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** The one line errspec must print (after "errspec: "). */
  line: RegExp;
}

const cases: Case[] = [
  {
    name: 'malformed --config YAML',
    args: ['verify', '--vendor', 'opescare', '--config', file('broken.yaml', 'vendors:\n  opescare:\n    baseUrl: http://127.0.0.1:1\n    auth: [unclosed\n')],
    line: /^errspec: \S*broken\.yaml:\d+: invalid YAML: .+$/,
  },
  {
    name: '--config that fails its schema',
    args: ['verify', '--vendor', 'opescare', '--config', file('wrong.yaml', 'timeoutMs: 10\nvendors:\n  opescare:\n    baseUrl: 42\n')],
    line: /^errspec: \S*wrong\.yaml:4: config invalid: .*baseUrl.*$/,
  },
  {
    name: '--config that does not exist',
    args: ['verify', '--vendor', 'opescare', '--config', path.join(dir, 'missing.yaml')],
    line: /^errspec: \S*missing\.yaml: cannot read: .*ENOENT.*$/,
  },
  {
    name: 'a profile that fails its schema (verify --vendor FILE)',
    args: ['verify', '--vendor', file('bad-profile.yaml', opescare.replace(/^statusRule: .*$/m, 'statusRule: 42'))],
    line: new RegExp(`^errspec: \\S*bad-profile\\.yaml:${lineOf(opescare, /^statusRule: /m)}: profile invalid: /statusRule: must be string$`),
  },
  {
    // Issue 14 item 10: found before the first request, not after the whole run.
    name: 'a --json path that cannot be written (its folder is a file)',
    args: ['verify', '--vendor', 'opescare', '--json', path.join(file('not-a-folder', 'x'), 'report.json')],
    line: /^errspec: --json \S+not-a-folder\/report\.json: cannot write the report there \((ENOTDIR|EEXIST)\); nothing was sent$/,
  },
  {
    name: 'a pact verify --base-url with user:password@ (one URL validator for every command)',
    args: ['pact', 'verify', '--vendor', 'opescare', '--base-url', 'http://user:pw@127.0.0.1:9'],
    line: /^errspec: --base-url must not carry credentials \(user:password@\): use --token-env or --api-key-env$/,
  },
  {
    name: 'a profile that fails its schema (check --vendor FILE)',
    args: ['check', goodHar, '--vendor', file('bad-profile-2.yaml', opescare.replace(/^title: .*$/m, 'title: [not, a, string]'))],
    line: new RegExp(`^errspec: \\S*bad-profile-2\\.yaml:${lineOf(opescare, /^title: /m)}: profile invalid: /title: must be string$`),
  },
  {
    name: 'a profile that is not YAML',
    args: ['check', goodHar, '--vendor', file('not-yaml.yaml', 'id: x\n  - : [\n')],
    line: /^errspec: \S*not-yaml\.yaml:\d+: invalid YAML: .+$/,
  },
  {
    name: 'a HAR that is not JSON',
    args: ['check', file('not-json.har', '<html>this is a saved web page, not a HAR</html>'), '--vendor', 'opescare'],
    line: /^errspec: \S*not-json\.har: not a HAR file: invalid JSON .+$/,
  },
  {
    name: 'a HAR that is JSON but not HAR',
    args: ['check', file('not-har.har', JSON.stringify({ openapi: '3.1.0', paths: {} })), '--vendor', 'opescare'],
    line: /^errspec: \S*not-har\.har: not a HAR file: log\.entries is missing or not an array$/,
  },
  {
    name: 'a HAR entry without a response status',
    args: ['check', file('no-status.har', JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: 'http://x/' }, response: { status: 'ok' } }] } })), '--vendor', 'opescare'],
    line: /^errspec: \S*no-status\.har: entry 0 has no numeric response\.status$/,
  },
  {
    name: 'an unknown flag',
    args: ['verify', '--vendor', 'opescare', '--frobnicate'],
    line: /^errspec: unknown option '--frobnicate' \(run with --help for usage\)$/,
  },
  {
    name: 'an unknown command',
    args: ['verfy'],
    line: /^errspec: unknown command 'verfy'.* \(run with --help for usage\)$/,
  },
  {
    name: 'a missing env var named by --token-env',
    args: ['verify', '--vendor', 'opescare', '--base-url', 'http://127.0.0.1:9', '--token-env', 'ERRSPEC_SURELY_UNSET_VAR'],
    line: /^errspec: --token-env ERRSPEC_SURELY_UNSET_VAR: environment variable ERRSPEC_SURELY_UNSET_VAR is not set or empty$/,
  },
  {
    name: 'an empty env var named by --api-key-env',
    args: ['verify', '--vendor', 'opescare', '--base-url', 'http://127.0.0.1:9', '--api-key-env', 'ERRSPEC_EMPTY_VAR', '--api-key-header', 'x-api-key'],
    env: { ERRSPEC_EMPTY_VAR: '' },
    line: /^errspec: --api-key-env ERRSPEC_EMPTY_VAR: environment variable ERRSPEC_EMPTY_VAR is not set or empty$/,
  },
  {
    name: 'an unknown vendor',
    args: ['verify', '--vendor', 'acme'],
    line: /^errspec: unknown vendor "acme"; built-in vendors: .*opescare.*$/,
  },
  {
    name: 'a --timeout that is not a number',
    args: ['verify', '--vendor', 'opescare', '--timeout', '10s'],
    line: /^errspec: --timeout takes a whole number from 1 to 600000, got "10s"$/,
  },
  {
    name: 'a --base-url that is not a URL',
    args: ['verify', '--vendor', 'opescare', '--base-url', 'api.example.test'],
    line: /^errspec: --base-url "api\.example\.test" is not a URL .*$/,
  },
];

describe('bad input: exit 2 and one clear line, no stack trace unless --debug', () => {
  test.concurrent.each(cases)('$name', async ({ args, env, line }) => {
    const result = await runCli(args, env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  test.concurrent('--debug adds the stack trace', async () => {
    const result = await runCli([...cases[0].args, '--debug']);
    expect(result.code).toBe(2);
    const [first, ...rest] = result.stderr.split('\n').filter(Boolean);
    expect(first).toMatch(cases[0].line);
    expect(rest.some((l) => /^\s+at /.test(l))).toBe(true);
  });
});
