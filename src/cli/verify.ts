import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load';
import { exitCodeOf } from '../engine/summary';
import { ToolFailedError, UsageError } from '../errors';
import { CLIENT_AUTH_METHODS, oauthSettingsFrom } from '../auth/options';
import { credentialFrom, type CredentialOptions } from '../probes/credentials';
import { loadProfile, vendorIds } from '../profile/load';
import { packageRoot } from '../util/paths';
import { interruptSource, type InterruptSource } from '../verify/interrupt';
import { authOptions, readRunResults } from '../verify/run-vendor';
import { DEFAULT_MAX_PROBES } from '../openapi/plan';
import { planVendor } from '../verify/plan';
import { SETTINGS_ENV, type VerifySettings } from '../verify/settings';
import { shareEngine } from '../verify/shared-engine';
import * as engine from '../../suites/engine';
import { colorFor, summaryTable } from '../../reporters/console';
import { writeReports } from '../../reporters/write';
import { addReportOptions, type Io } from './main';
import { wholeIn } from './numbers';

export interface VerifyOptions {
  vendor: string[];
  all: boolean;
  baseUrl?: string;
  config?: string;
  timeout: string;
  tokenEnv?: string;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
  oauthTokenUrl?: string;
  clientIdEnv?: string;
  clientSecretEnv?: string;
  scope?: string;
  oauthClientAuth?: string;
  concurrency: string;
  allowWrites: boolean;
  rateLimitProbe: boolean;
  maxRequests: string;
  maxWait: string;
  maxBodyBytes: string;
  openapi?: string;
  maxProbes: string;
  insecure: boolean;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  strict: boolean;
  quiet: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];


/** Credential options shared by verify and pact verify. */
export function addCredentialOptions(command: Command): Command {
  return command
    .option('--token-env <VAR>', 'environment variable holding a bearer token (never pass secrets in argv)')
    .option('--api-key-env <VAR>', 'environment variable holding an API key')
    .option('--api-key-header <NAME>', 'header that carries the API key (with --api-key-env)');
}

/** OAuth2 client credentials (RFC 6749 §4.4): errspec fetches the token, and a fresh one once on the vendor's expired-token error. */
export function addOAuthOptions(command: Command): Command {
  return command
    .option('--oauth-token-url <url>', 'OAuth2 token endpoint (absolute, or a path on the base URL) for the client-credentials grant')
    .option('--client-id-env <VAR>', 'environment variable holding the OAuth client id')
    .option('--client-secret-env <VAR>', 'environment variable holding the OAuth client secret')
    .option('--scope <scopes>', 'scopes to request with the token (space-separated)')
    .addOption(new Option('--oauth-client-auth <method>', 'how the client authenticates at the token endpoint').choices([...CLIENT_AUTH_METHODS]).default('body'));
}


export function registerVerifyCommand(program: Command, io: Io): void {
  const command = program
    .command('verify')
    .description('run the conformance suites: probes that provoke each documented error, checked against the vendor contract.\nWithout --base-url (or a base URL in --config) each vendor runs against its embedded reference mock.')
    .option('--vendor <id>', 'vendor to verify (repeatable; see `errspec vendors`)', collect, [])
    .option('--all', 'verify every built-in vendor', false)
    .option('--base-url <url>', 'target to probe (one vendor, or the same target for all selected)')
    .option('--config <file>', 'YAML config: per-vendor base URL, auth, probe paths and ids, budgets')
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '10000')
    .option('--allow-writes', 'also send probes that create data (409 duplicates)', false)
    .option('--rate-limit-probe', 'send a bounded burst until the first 429 and check it', false)
    .option('--max-requests <n>', 'most requests the rate-limit burst may send', '60')
    .option('--max-wait <seconds>', 'longest wait honoured from a Retry-After before the next request', '60')
    .option('--concurrency <n>', 'probes of one vendor in flight at once (default 1: one request at a time to a host; the burst always runs alone)', '1')
    .option('--openapi <file>', 'derive the probes from this OpenAPI 3.0/3.1 document (YAML or JSON) instead of the profile\'s, and warn where its declared errors disagree with the contract')
    .option('--max-probes <n>', 'most probes (each one request) derived from --openapi', String(DEFAULT_MAX_PROBES))
    .addOption(new Option('--max-body-bytes <n>', 'response bodies are read up to this many bytes').default('1048576'))
    .option('--insecure', 'accept any TLS certificate of the target (self-signed test servers only)', false);
  addReportOptions(addOAuthOptions(addCredentialOptions(command))).action(async (options: VerifyOptions) => {
    io.exitCode = await verify(options, io);
  });
}

export async function verify(options: VerifyOptions, io: Io): Promise<number> {
  const vendors = options.all ? vendorIds() : options.vendor;
  if (vendors.length === 0) throw new UsageError('verify needs --vendor ID (repeatable) or --all');
  const config = options.config ? loadConfig(options.config) : undefined;
  // Configuration errors are exit 2 before any request: check every vendor's overrides now.
  if (options.openapi !== undefined && vendors.length !== 1) throw new UsageError('--openapi describes one vendor\'s API: give exactly one --vendor');
  const openapiFile = options.openapi === undefined ? undefined : path.resolve(options.openapi);
  const maxProbes = wholeIn('--max-probes', options.maxProbes);
  // The OpenAPI document is read here too, so a bad one is exit 2 before any request.
  for (const id of vendors) planVendor(loadProfile(id), { resultsDir: '', baseUrl: options.baseUrl, configFile: options.config, openapiFile, maxProbes }, config);
  // Fail on a missing credential variable before any request is sent.
  const credential: CredentialOptions = {
    tokenEnv: options.tokenEnv,
    apiKeyEnv: options.apiKeyEnv,
    apiKeyHeader: options.apiKeyHeader,
    oauthTokenUrl: options.oauthTokenUrl,
    clientIdEnv: options.clientIdEnv,
    clientSecretEnv: options.clientSecretEnv,
    scope: options.scope,
    // The default method alone does not ask for OAuth.
    oauthClientAuth: options.oauthTokenUrl || options.clientIdEnv || options.clientSecretEnv ? options.oauthClientAuth : undefined,
  };
  for (const id of vendors) {
    // A relative token URL is resolved per target later; here only the variables and the method are checked.
    const auth = authOptions(credential, config?.vendors?.[id]?.auth);
    credentialFrom(auth);
    oauthSettingsFrom(auth, options.baseUrl ?? 'http://127.0.0.1');
  }
  if (options.baseUrl !== undefined) httpUrl('--base-url', options.baseUrl);
  // Profile files were validated above (exit 2 when invalid), but the Jest suites exist per built-in vendor only.
  const files = vendors.filter((v) => !vendorIds().includes(v));
  if (files.length > 0) throw new UsageError(`verify runs built-in vendors (${vendorIds().join(', ')}); a profile file such as ${files[0]} works with errspec check FILE.har --vendor ${files[0]}`);
  const resultsDir = mkdtempSync(path.join(os.tmpdir(), 'errspec-runs-'));
  const settings: VerifySettings = {
    resultsDir,
    baseUrl: options.baseUrl,
    configFile: options.config ? path.resolve(options.config) : undefined,
    credential,
    timeoutMs: wholeIn('--timeout', options.timeout),
    maxBodyBytes: wholeIn('--max-body-bytes', options.maxBodyBytes),
    strict: options.strict,
    allowWrites: options.allowWrites,
    rateLimitProbe: options.rateLimitProbe,
    maxRequests: wholeIn('--max-requests', options.maxRequests),
    maxWaitSeconds: wholeIn('--max-wait', options.maxWait),
    concurrency: wholeIn('--concurrency', options.concurrency),
    openapiFile,
    maxProbes,
    insecure: options.insecure,
    progress: options.quiet ? 'none' : options.json === '-' ? 'stderr' : 'stdout',
    color: colorFor(options.json === '-' ? process.stderr : process.stdout),
  };
  if (options.insecure) io.stderr.write('errspec: warning: --insecure: TLS certificates of the target are not verified\n');
  const interrupts = interruptSource();
  const stopOnSignal = onTermination(interrupts, io);
  // The suites run in Jest's per-file registries: hand them the engine this process has loaded.
  const stopSharing = shareEngine(() => engine);
  try {
    await runJest(vendors, settings, options);
    const runs = readRunResults(resultsDir);
    const missing = vendors.filter((v) => !runs.some((r) => r.vendor === v));
    if (missing.length > 0 && !interrupts.signal) throw new ToolFailedError(`the conformance suite of ${missing.join(', ')} did not complete`);
    const out = options.json === '-' ? io.stderr : io.stdout;
    out.write(`${summaryTable(runs, { color: settings.color })}\n`);
    for (const run of runs) for (const note of run.notes ?? []) out.write(`${run.vendor}: ${note}\n`);
    for (const file of [options.junit, options.json, options.html, options.summary]) if (file && file !== '-') out.write(`wrote ${file}\n`);
    if (interrupts.signal) {
      // Interrupted before any vendor finished: the reporter had nothing to write, so CI still finds (empty) reports.
      if (runs.length === 0) writeReports([], { junit: options.junit, json: options.json, html: options.html, summary: options.summary }, io.stdout, {});
      io.stderr.write(`errspec: interrupted by ${interrupts.signal}: the reports hold what finished${missing.length > 0 ? `; not run: ${missing.join(', ')}` : ''}\n`);
      return signalExitCode(interrupts.signal);
    }
    return exitCodeOf(runs);
  } finally {
    stopSharing();
    stopOnSignal();
    interrupts.dispose();
    rmSync(resultsDir, { recursive: true, force: true });
  }
}

/** Shells report a death by signal N as 128 + N: 130 for SIGINT, 143 for SIGTERM. */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (os.constants.signals[signal] ?? 0);
}

/**
 * The first SIGINT/SIGTERM stops the probes in flight and lets the suites and reporter write what
 * finished; a second one exits at once (reports are written atomically, so none is left half-written).
 */
function onTermination(interrupts: InterruptSource, io: Io): () => void {
  const handle = (signal: NodeJS.Signals): void => {
    if (interrupts.signal) process.exit(signalExitCode(interrupts.signal));
    io.stderr.write(`errspec: ${signal} received: stopping the probes and writing the reports of what finished (again to quit at once)\n`);
    interrupts.interrupt(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}

/** A target errspec can probe: an absolute http(s) URL. */
function httpUrl(option: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${option} "${raw}" is not a URL (expected http://host[:port][/prefix] or https://...)`);
  }
  // Reports show the target: a password in it would be in every one of them (and in this message).
  if (url.username || url.password) throw new UsageError(`${option} must not carry credentials (user:password@): use --token-env or --api-key-env`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} "${raw}": only http and https targets are supported, got ${url.protocol}`);
  return url;
}

/** Run the suites through Jest's programmatic API, with errspec's reporter writing the reports. */
async function runJest(vendors: string[], settings: VerifySettings, options: VerifyOptions): Promise<void> {
  const { runCLI } = await import('jest');
  const root = packageRoot();
  const jestConfig = {
    rootDir: root,
    roots: [path.join(root, 'dist', 'suites')],
    testMatch: [`**/+(${vendors.join('|')}).conformance.test.js`],
    transform: {},
    testEnvironment: 'node',
    haste: { enableSymlinks: false },
    reporters: [[path.join(root, 'dist', 'reporters', 'jest-reporter.js'), {
      resultsDir: settings.resultsDir, junit: options.junit, json: options.json, html: options.html, summary: options.summary,
    }]],
    cache: false,
    watchman: false,
  };
  const previous = process.env[SETTINGS_ENV];
  process.env[SETTINGS_ENV] = JSON.stringify(settings);
  try {
    await runCLI({ _: [], $0: 'errspec', config: JSON.stringify(jestConfig), runInBand: true, silent: false, ci: true } as never, [root]);
  } finally {
    if (previous === undefined) delete process.env[SETTINGS_ENV];
    else process.env[SETTINGS_ENV] = previous;
  }
}
