import { Command, CommanderError } from 'commander';
import { isErrspecError } from '../errors';
import { toolVersion } from '../util/paths';
import type { Io } from './io';
import type * as CheckCli from './check';
import type * as VendorsCli from './vendors';
import type * as VerifyCli from './verify';
import type * as MockCli from './mock';
import type * as ProxyCli from './proxy';
import type * as PactCli from './pact';
import type * as DiffCli from './diff';
import type * as InitCli from './init';
import type * as MergeCli from './merge';

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
  diff: (program, io) => (require('./diff') as typeof DiffCli).registerDiffCommand(program, io),
  init: (program, io) => (require('./init') as typeof InitCli).registerInitCommand(program, io),
  merge: (program, io) => (require('./merge') as typeof MergeCli).registerMergeCommand(program, io),
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
export type { Io } from './io';
