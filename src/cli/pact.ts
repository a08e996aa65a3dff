import { httpUrl } from '../util/http-url';
import path from 'node:path';
import type { Command } from 'commander';
import { exitCodeOf } from '../engine/summary';
import { ToolFailedError, UsageError } from '../errors';
import { canIDeploy, publishPacts } from '../pact/broker';
import { DEFAULT_CONSUMER, defaultPactDir, generatedPactDir, pactFileName } from '../pact/files';
import { verifyPact } from '../pact/verify';
import { credentialFrom } from '../probes/credentials';
import { loadProfile, vendorIds } from '../profile/load';
import type { VendorRun } from '../types';
import { Redactor } from '../util/redact';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { assertWritable, writeReports } from '../../reporters/write';
import { addProfileOptions, addReportOptions, reportChoice, type Io } from './io';
import { addCredentialOptions } from './verify';
import { wholeIn } from './numbers';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A consumer name becomes a file name: keep it to what Pact Brokers and file systems both take. */
function consumerName(raw: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/.test(raw)) throw new UsageError(`--consumer "${raw}": use letters, digits, space, dot, dash or underscore`);
  return raw;
}

function selectedVendors(vendor: string[], all: boolean): string[] {
  if (all && vendor.length > 0) throw new UsageError('give --vendor ID or --all, not both');
  const vendors = all ? vendorIds() : vendor;
  if (vendors.length === 0) throw new UsageError('give --vendor ID (repeatable) or --all');
  for (const id of vendors) loadProfile(id);
  return vendors;
}


interface GenerateCliOptions {
  consumer: string;
  out?: string;
  vendor: string[];
}

interface VerifyCliOptions {
  vendor: string[];
  all: boolean;
  baseUrl?: string;
  stateChangeUrl?: string;
  consumer: string;
  dir?: string;
  timeout: string;
  allowWrites: boolean;
  tokenEnv?: string;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  quiet: boolean;
  debug: boolean;
}

interface PublishCliOptions {
  consumerAppVersion: string;
  branch?: string;
  tag: string[];
  buildUrl?: string;
  dir?: string;
}

interface CanIDeployCliOptions {
  pacticipant: string;
  version: string;
  toEnvironment?: string;
}

/** `errspec pact generate | verify | publish | can-i-deploy` (SPEC §6). */
export function registerPactCommand(program: Command, io: Io): void {
  const pact = program.command('pact').description('Pact contracts of the vendors\' error contracts: generate, verify, publish, can-i-deploy');

  addProfileOptions(pact
    .command('generate')
    .description('write <consumer>-<vendor>.json pacts from the profiles into ./pacts (or --out); errspec\'s own engine is the consumer of every interaction')
    .option('--consumer <name>', 'consumer name the pacts carry', DEFAULT_CONSUMER)
    .option('--out <dir>', 'directory for the pact files (default: ./pacts in the working directory)')
    .option('--vendor <id>', 'only this vendor (repeatable; default: every built-in vendor)', collect, []))
    .action(async (options: GenerateCliOptions) => {
      const consumer = consumerName(options.consumer);
      const vendors = options.vendor.length > 0 ? selectedVendors(options.vendor, false) : vendorIds();
      const outDir = path.resolve(options.out ?? generatedPactDir());
      // Pact's consumer library (and its native core) loads only for this command: other commands start fast.
      const { generatePacts } = await import('../pact/generate');
      await generatePacts({
        vendors,
        consumer,
        outDir,
        onWritten: (g) => io.stdout.write(`wrote ${g.file} (${g.interactions} interactions)\n`),
      });
      io.exitCode = 0;
    });

  const verify = pact
    .command('verify')
    .description('verify a provider against the pacts with the Pact verifier, one report testcase per interaction.\nWithout --base-url each vendor\'s embedded reference mock is the provider, its state handler sets up the provider states.')
    .option('--vendor <id>', 'vendor whose pact to verify (repeatable)', collect, [])
    .option('--all', 'every built-in vendor', false)
    .option('--base-url <url>', 'the provider to verify')
    .option('--state-change-url <url>', 'where the provider sets up Pact provider states (needed for the rate-limit interaction)')
    .option('--consumer <name>', 'consumer name of the pacts', DEFAULT_CONSUMER)
    .option('--dir <dir>', 'directory of the pact files (default: ./pacts when it exists, else the pacts errspec ships)')
    .option('--timeout <ms>', 'per-request timeout in milliseconds', '10000')
    .option('--allow-writes', 'also verify interactions that create data on the provider', false);
  addProfileOptions(addReportOptions(addCredentialOptions(verify))).action(async (options: VerifyCliOptions) => {
    io.exitCode = await pactVerify(options, io);
  });

  pact
    .command('publish')
    .description('publish the pacts to a Pact Broker (PACT_BROKER_BASE_URL, PACT_BROKER_TOKEN or PACT_BROKER_USERNAME/PASSWORD) with the Pact CLI')
    .requiredOption('--consumer-app-version <version>', 'version of the consumer the pacts belong to')
    .option('--branch <branch>', 'repository branch of that version')
    .option('--tag <tag>', 'tag of that version (repeatable)', collect, [])
    .option('--build-url <url>', 'URL of the build that made the pacts')
    .option('--dir <dir>', 'directory of the pact files to publish (default: ./pacts when it exists, else the pacts errspec ships)')
    .action(async (options: PublishCliOptions) => {
      if (options.buildUrl) httpUrl('--build-url', options.buildUrl);
      const result = await publishPacts({
        consumerAppVersion: options.consumerAppVersion,
        branch: options.branch,
        tags: options.tag,
        buildUrl: options.buildUrl,
        dir: path.resolve(options.dir ?? defaultPactDir()),
      });
      io.stdout.write(result.stdout);
      io.stderr.write(result.stderr);
      if (result.code !== 0) io.stderr.write(`errspec: pact broker publish failed (exit ${result.code})\n`);
      io.exitCode = result.code === 0 ? 0 : 1;
    });

  pact
    .command('can-i-deploy')
    .description('ask the Pact Broker whether a version can be deployed; exit 0 when it can, 1 when it cannot')
    .requiredOption('--pacticipant <name>', 'the application to deploy')
    .requiredOption('--version <version>', 'its version')
    .option('--to-environment <env>', 'the environment to deploy to')
    .action(async (options: CanIDeployCliOptions) => {
      const result = await canIDeploy(options);
      io.stdout.write(result.stdout);
      io.stderr.write(result.stderr);
      if (result.code === 0 || result.code === 1) {
        io.exitCode = result.code;
        return;
      }
      throw new ToolFailedError(`pact broker can-i-deploy gave no answer (exit ${result.code})`);
    });
}

async function pactVerify(options: VerifyCliOptions, io: Io): Promise<number> {
  const vendors = selectedVendors(options.vendor, options.all);
  if (options.baseUrl) httpUrl('--base-url', options.baseUrl);
  if (options.stateChangeUrl) httpUrl('--state-change-url', options.stateChangeUrl);
  const consumer = consumerName(options.consumer);
  const credential = credentialFrom({ tokenEnv: options.tokenEnv, apiKeyEnv: options.apiKeyEnv, apiKeyHeader: options.apiKeyHeader });
  const secrets = [options.tokenEnv, options.apiKeyEnv].filter((n): n is string => Boolean(n)).map((n) => process.env[n] ?? '');
  const redactor = new Redactor(secrets);
  const timeoutMs = wholeIn('--timeout', options.timeout);
  const dir = path.resolve(options.dir ?? defaultPactDir());
  const reports = reportChoice(options);
  assertWritable(reports.targets);
  const progress = reports.toStdout ? io.stderr : io.stdout;
  const color = colorFor(progress);
  const runs: VendorRun[] = [];
  for (const vendor of vendors) {
    const profile = loadProfile(vendor);
    const { run, verifierOutput } = await verifyPact(profile, {
      pactFile: path.join(dir, pactFileName(consumer, profile.id)),
      baseUrl: options.baseUrl,
      stateChangeUrl: options.stateChangeUrl,
      credential,
      allowWrites: options.allowWrites,
      timeoutMs,
      redactor,
    });
    if (options.debug) io.stderr.write(verifierOutput);
    if (!options.quiet) for (const exchange of run.exchanges) progress.write(`${exchangeLine(vendor, exchange, { color })}\n`);
    runs.push(run);
  }
  const written = writeReports(runs, reports.targets, io.stdout);
  progress.write(`${summaryTable(runs, { color })}\n`);
  for (const file of written) progress.write(`wrote ${file}\n`);
  return exitCodeOf(runs);
}
