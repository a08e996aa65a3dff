import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { Redactor } from '../util/redact';
import { refuseShortSecret } from '../util/env';
import { runPactCli, type PactCliResult } from './pact-cli';

/** The broker as the Pact CLI's own conventions name it: PACT_BROKER_BASE_URL and a token or username/password. */
export interface BrokerEnv {
  baseUrl: string;
  /** Redacts the token and password wherever the CLI might print them. */
  redactor: Redactor;
}

/** The CLI's environment: an empty PACT_BROKER_TOKEN (common in CI templates) would otherwise win over username/password. */
function cliEnv(env: NodeJS.ProcessEnv, baseUrl: string): NodeJS.ProcessEnv {
  const out = Object.fromEntries(Object.entries(env).filter(([name, value]) => !(name.startsWith('PACT_BROKER_') && !value?.trim())));
  return { ...out, PACT_BROKER_BASE_URL: baseUrl };
}

export function brokerFromEnv(env: NodeJS.ProcessEnv = process.env): BrokerEnv {
  const baseUrl = env.PACT_BROKER_BASE_URL?.trim();
  if (!baseUrl) {
    throw new UsageError('PACT_BROKER_BASE_URL is not set: export the Pact Broker URL (and PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD)');
  }
  const secrets = [env.PACT_BROKER_TOKEN, env.PACT_BROKER_PASSWORD].filter((s): s is string => Boolean(s));
  if (env.PACT_BROKER_TOKEN) refuseShortSecret(env.PACT_BROKER_TOKEN, 'PACT_BROKER_TOKEN');
  if (env.PACT_BROKER_PASSWORD) refuseShortSecret(env.PACT_BROKER_PASSWORD, 'PACT_BROKER_PASSWORD');
  return { baseUrl, redactor: new Redactor(secrets) };
}

export interface PublishOptions {
  consumerAppVersion: string;
  branch?: string;
  tags: string[];
  buildUrl?: string;
  /** Directory of pact files: every *.json in it is published. */
  dir: string;
}

/** The pact files of a directory, sorted; none is a usage error. */
export function pactFilesIn(dir: string): string[] {
  if (!existsSync(dir)) throw new UsageError(`no pact directory ${dir}: run \`errspec pact generate\` or give --dir`);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(dir, f));
  if (files.length === 0) throw new UsageError(`no pact files (*.json) in ${dir}: run \`errspec pact generate\` first`);
  return files;
}

/** `pact broker publish` with version, branch, tags and build URL; the broker URL and secrets stay in the environment. */
export function publishPacts(options: PublishOptions, env: NodeJS.ProcessEnv = process.env): Promise<PactCliResult> {
  const broker = brokerFromEnv(env);
  if (!options.consumerAppVersion.trim()) throw new UsageError('--consumer-app-version must not be empty');
  const badTag = options.tags.find((tag) => tag.trim() === '' || tag.includes(','));
  if (badTag !== undefined) throw new UsageError(`--tag "${badTag}": a tag is a non-empty name without commas`);
  const args = [
    'broker', 'publish', ...pactFilesIn(options.dir),
    '--consumer-app-version', options.consumerAppVersion,
    ...(options.branch ? ['--branch', options.branch] : []),
    ...(options.buildUrl ? ['--build-url', options.buildUrl] : []),
    // The CLI takes --tag once, comma-delimited; the = form keeps it from swallowing what follows.
    ...(options.tags.length > 0 ? [`--tag=${options.tags.join(',')}`] : []),
  ];
  return runPactCli(args, { env: cliEnv(env, broker.baseUrl), redactor: broker.redactor });
}

export interface CanIDeployOptions {
  pacticipant: string;
  version: string;
  toEnvironment?: string;
}

/** `pact broker can-i-deploy`: exit 0 when the broker says deployable, 1 when not. */
export function canIDeploy(options: CanIDeployOptions, env: NodeJS.ProcessEnv = process.env): Promise<PactCliResult> {
  const broker = brokerFromEnv(env);
  const args = [
    'broker', 'can-i-deploy', '--pacticipant', options.pacticipant, '--version', options.version,
    ...(options.toEnvironment ? ['--to-environment', options.toEnvironment] : []),
  ];
  return runPactCli(args, { env: cliEnv(env, broker.baseUrl), redactor: broker.redactor });
}
