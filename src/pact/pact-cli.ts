import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ToolFailedError } from '../errors';
import { Redactor } from '../util/redact';

export interface PactCliResult {
  /** The CLI's exit code; null when a signal ended it. */
  code: number | null;
  /** Redacted. */
  stdout: string;
  /** Redacted. */
  stderr: string;
}

export interface PactCliOptions {
  /** The child's whole environment (default: this process's). PACT_DO_NOT_TRACK is always set. */
  env?: NodeJS.ProcessEnv;
  /** Applied to everything the CLI prints before anyone sees it. */
  redactor?: Redactor;
}

let entry: string | undefined;

/** The `pact` bin of @pact-foundation/pact-cli (a node launcher for its platform binary). */
export function pactCliEntry(): string {
  if (entry) return entry;
  const manifest = require.resolve('@pact-foundation/pact-cli/package.json');
  const bin = (JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> }).bin.pact;
  entry = path.join(path.dirname(manifest), bin);
  return entry;
}

/**
 * Run the Pact CLI (`pact verifier ...`, `pact broker ...`) as a child with its output captured, so
 * nothing it prints reaches the user unredacted. Secrets travel in the environment, never in argv.
 */
export function runPactCli(args: string[], options: PactCliOptions = {}): Promise<PactCliResult> {
  const redactor = options.redactor ?? new Redactor();
  const env = { ...(options.env ?? process.env), PACT_DO_NOT_TRACK: 'true' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [pactCliEntry(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (cause) => reject(new ToolFailedError(`cannot run the Pact CLI (${pactCliEntry()}): ${cause.message}`, { cause })));
    child.on('close', (code) => {
      resolve({
        code,
        stdout: redactor.text(Buffer.concat(stdout).toString('utf8')),
        stderr: redactor.text(Buffer.concat(stderr).toString('utf8')),
      });
    });
  });
}

/** The environment without PACT_* variables, so a broker URL or filter set for other tools cannot change a local run. */
export function withoutPactVariables(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PACT_')));
}
