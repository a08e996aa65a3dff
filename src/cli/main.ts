import { Command, CommanderError, Option } from 'commander';
import { isErrspecError } from '../errors';
import { toolVersion } from '../util/paths';
import type * as CheckCli from './check';
import type * as VendorsCli from './vendors';
import type * as VerifyCli from './verify';
import type * as MockCli from './mock';
import type * as ProxyCli from './proxy';
import type * as PactCli from './pact';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Set by the command that ran. */
  exitCode?: number;
}

/** Options every reporting command takes. */
export function addReportOptions(command: Command): Command {
  return command
    .option('--json <file>', 'write the JSON report to FILE (- for stdout)')
    .option('--junit <file>', 'write a JUnit XML report to FILE')
    .option('--html <file>', 'write a self-contained HTML report to FILE')
    .option('--summary <file>', 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--strict', 'warnings fail the run', false)
    .option('--quiet', 'print only the summary', false)
    .addOption(new Option('--debug', 'show stack traces of errors').default(false));
}

/** The credential-shaped names errspec learns secrets from by itself, for --help (the list is `src/util/redact.ts`). */
const LEARNED_NAMES =
  'headers Authorization, Proxy-Authorization, Cookie, Ocp-Apim-Subscription-Key, X-Api-Key, X-Api-Token, X-Access-Token, X-Auth-Token, Private-Token, ' +
  'X-Goog-Api-Key, X-Amz-Security-Token and any name containing api-key, token, secret, password or credential; query and form parameters ' +
  'api-key, api_key, apikey, token, key, subscription-key, access_token, client_secret, client_assertion, password, sig, signature and any name ' +
  'containing api-key, token, secret, password or credential; JSON body fields named key or containing token, secret, password, privateKey, apiKey or credential';

/** Names of what a captured request carries whose values are secrets, beyond the built-in patterns. */
export interface SecretNameOptions {
  /** `--secret-header NAME` (repeatable): this request header's value is a secret. */
  secretHeader: string[];
  /** `--secret-param NAME` (repeatable): this query, form or JSON body parameter's value is a secret. */
  secretParam: string[];
}

/** `--secret-header` and `--secret-param` for the commands that read captured requests (check, proxy). */
export function addSecretNameOptions(command: Command): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  return command
    .option('--secret-header <name>', 'also treat this request header\'s value as a secret wherever it appears (repeatable)', collect, [])
    .option('--secret-param <name>', 'also treat this query, form or JSON body parameter\'s value as a secret wherever it appears (repeatable)', collect, [])
    .addHelpText('after', `\nSecrets are learned from every captured request's credential-shaped values and redacted in every output: ${LEARNED_NAMES}.`);
}

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Each command's module, loaded when the command line names it (or when help needs them all): undici,
 * ajv, Jest and the reporters are a command's start-up cost only where that command uses them.
 */
const COMMANDS: Record<string, (program: Command, io: Io) => void> = {
  vendors: (program, io) => (require('./vendors') as typeof VendorsCli).registerVendorsCommand(program, io),
  check: (program, io) => (require('./check') as typeof CheckCli).registerCheckCommand(program, io),
  verify: (program, io) => (require('./verify') as typeof VerifyCli).registerVerifyCommand(program, io),
  mock: (program, io) => (require('./mock') as typeof MockCli).registerMockCommand(program, io),
  proxy: (program, io) => (require('./proxy') as typeof ProxyCli).registerProxyCommand(program, io),
  pact: (program, io) => (require('./pact') as typeof PactCli).registerPactCommand(program, io),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The program with every command, or only `command`'s when the command line names one. */
export function buildProgram(io: Io, command?: string): Command {
  const program = new Command('errspec')
    .description('Contract tests for the error contracts of health-care APIs.\n\nExit codes: 0 all checks passed (warnings allowed unless --strict), 1 a check failed, 2 usage or configuration error, 3 target unreachable.')
    .version(toolVersion(), '-V, --version')
    // errspec's own options only before the command: `pact can-i-deploy --version V` is the pacticipant's version.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // One line per usage error, as for every other error (commander's own spans two: message, then suggestion).
      outputError: (s, write) => write(`errspec: ${s.replace(/^error: /, '').trim().split(/\s*\n\s*/).join(' ')} (run with --help for usage)\n`),
    });
  for (const [name, register] of Object.entries(COMMANDS)) if (command === undefined || command === name) register(program, io);
  return program;
}

/** Run the CLI; resolves to the exit code. Only misuse throws inside, and it is mapped to one line here. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  // argv[2] is the command when the line starts with one (`errspec check ...`); else (`--help`, a typo) all are registered.
  const named = argv[2];
  const program = buildProgram(io, named !== undefined && Object.hasOwn(COMMANDS, named) ? named : undefined);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return io.exitCode ?? 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (isErrspecError(error)) {
      io.stderr.write(`errspec: ${error.message}\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return error.exitCode;
    }
    io.stderr.write(`errspec: internal error: ${(error as Error).message}\n`);
    if (debug) io.stderr.write(`${(error as Error).stack}\n`);
    return 2;
  }
}
