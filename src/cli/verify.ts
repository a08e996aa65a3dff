import { httpUrl } from '../util/http-url';
import os from 'node:os';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../config/load';
import { exitCodeOf } from '../engine/summary';
import { UsageError } from '../errors';
import { CLIENT_AUTH_METHODS, oauthSettingsFrom } from '../auth/options';
import { credentialFrom, type CredentialOptions } from '../probes/credentials';
import { loadProfile, vendorIds } from '../profile/load';
import { authOptions } from '../verify/run-vendor';
import { verify as runVerify } from '../api/verify';
import { DEFAULT_MAX_PROBES } from '../openapi/plan';
import { planVendor } from '../verify/plan';
import { parseShard } from '../engine/shard';
import type { VerifySettings } from '../verify/settings';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { assertWritable, writeReports } from '../../reporters/write';
import { addProfileOptions, addReportOptions, reportChoice, type Io } from './io';
import { addBaselineOptions, applyBaseline, checkBaselineOptions, type BaselineOptions } from '../drift/run';
import { wholeIn } from './numbers';
import { closeConnections } from '../probes/http';

export interface VerifyOptions extends BaselineOptions {
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
  shard?: string;
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
    .option('--insecure', 'accept any TLS certificate of the target (self-signed test servers only)', false)
    .option('--shard <I/N>', 'run only shard I of N (split by vendor and probe), for a CI matrix; `errspec merge` combines the shards\' JSON reports');
  addProfileOptions(addBaselineOptions(addReportOptions(addOAuthOptions(addCredentialOptions(command))))).action(async (options: VerifyOptions) => {
    io.exitCode = await verify(options, io);
  });
}

export async function verify(options: VerifyOptions, io: Io): Promise<number> {
  if (options.all && options.vendor.length > 0) throw new UsageError('give --vendor ID or --all, not both');
  const vendors = options.all ? vendorIds() : options.vendor;
  if (vendors.length === 0) throw new UsageError('verify needs --vendor ID (repeatable) or --all');
  const reports = reportChoice(options);
  const config = options.config ? loadConfig(options.config) : undefined;
  // Configuration errors are exit 2 before any request: check every vendor's overrides now.
  if (options.openapi !== undefined && vendors.length !== 1) throw new UsageError('--openapi describes one vendor\'s API: give exactly one --vendor');
  const openapiFile = options.openapi === undefined ? undefined : path.resolve(options.openapi);
  const maxProbes = wholeIn('--max-probes', options.maxProbes);
  // The OpenAPI document is read here too, so a bad one is exit 2 before any request.
  for (const id of vendors) planVendor(loadProfile(id), { baseUrl: options.baseUrl, configFile: options.config, openapiFile, maxProbes }, config);
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
  checkBaselineOptions(options);
  const settings: VerifySettings = {

    baseUrl: options.baseUrl,
    configFile: options.config ? path.resolve(options.config) : undefined,
    config,
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
    shard: options.shard === undefined ? undefined : parseShard(options.shard),
    progress: options.quiet ? 'none' : reports.toStdout ? 'stderr' : 'stdout',
    color: colorFor(reports.toStdout ? process.stderr : process.stdout),
  };
  if (options.insecure) io.stderr.write('errspec: warning: --insecure: TLS certificates of the target are not verified\n');
  const { targets } = reports;
  // A report that cannot be written is found now, not after the whole run (when its verdict would be lost).
  assertWritable(targets);
  const interrupts = new AbortController();
  const stopOnSignal = onTermination(interrupts, io);
  const out = reports.toStdout ? io.stderr : io.stdout;
  const progress = settings.progress === 'none' ? undefined : settings.progress === 'stderr' ? io.stderr : io.stdout;
  try {
    // The runner, called directly: one vendor after another, each one host at a time unless --concurrency says otherwise.
    const verified = await runVerify({
      ...settings,
      vendors,
      onExchange: progress ? (id, exchange) => progress.write(`${exchangeLine(id, exchange, { color: settings.color })}\n`) : undefined,
      signal: interrupts.signal,
    });
    // Drift findings join the runs before any report is written; an interrupted run never rewrites the baseline.
    const runs = applyBaseline(verified.runs, options, !interrupts.signal.aborted).runs;
    writeReports(runs, targets, io.stdout);
    const signal = interrupts.signal.aborted ? (interrupts.signal.reason as NodeJS.Signals) : undefined;
    const missing = vendors.filter((v) => !runs.some((r) => r.vendor === loadProfile(v).id));
    out.write(`${summaryTable(runs, { color: settings.color })}\n`);
    for (const run of runs) for (const note of run.notes ?? []) out.write(`${run.vendor}: ${note}\n`);
    for (const file of Object.values(targets)) if (file && file !== '-') out.write(`wrote ${file}\n`);
    if (signal) {
      // A connect to a black-holed host may still be pending: it must not hold the exit for its timeout.
      closeConnections();
      io.stderr.write(`errspec: interrupted by ${signal}: the reports hold what finished${missing.length > 0 ? `; not run: ${missing.join(', ')}` : ''}\n`);
      return signalExitCode(signal);
    }
    return exitCodeOf(runs);
  } finally {
    stopOnSignal();
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
function onTermination(interrupts: AbortController, io: Io): () => void {
  const handle = (signal: NodeJS.Signals): void => {
    if (interrupts.signal.aborted) process.exit(signalExitCode(interrupts.signal.reason as NodeJS.Signals));
    io.stderr.write(`errspec: ${signal} received: stopping the probes and writing the reports of what finished (again to quit at once)\n`);
    interrupts.abort(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return () => {
    process.off('SIGINT', handle);
    process.off('SIGTERM', handle);
  };
}

