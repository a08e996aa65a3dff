import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STATE_PATH } from '../src/mock/server';
import { ROOT, serveMock, timeCommand, timeErrspec } from './util';

export type PactFigures =
  | { available: false; reason: string }
  | { available: true; pacts: number; interactions: number; pactMs: number; errspecMs: number; ratio: number };

const PACT_BIN = path.join(ROOT, 'node_modules', '.bin', 'pact');

/**
 * The Pact Rust verifier (`pact verifier` from @pact-foundation/pact-cli) on the generated pacts,
 * one run per pact against that vendor's reference mock (started before the clock, one `errspec mock`
 * process each), versus `errspec pact verify --all` on the same pacts, which starts its embedded mocks
 * itself. Both verify every interaction (errspec with --allow-writes, as the Rust verifier skips none).
 */
export async function benchPact(dir = path.join(ROOT, 'contracts', 'pacts')): Promise<PactFigures> {
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  if (files.length === 0) return { available: false, reason: 'no pacts' };
  if (!existsSync(PACT_BIN)) return { available: false, reason: 'no pact CLI' };
  const help = await timeErrspec(['pact', 'verify', '--help'], { keepStdout: true });
  if (help.code !== 0) return { available: false, reason: 'no errspec pact verify' };

  let pactMs = 0;
  let interactions = 0;
  for (const file of files) {
    const pact = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { provider: { name: string }; interactions: unknown[] };
    interactions += pact.interactions.length;
    const mock = await serveMock(pact.provider.name);
    try {
      const run = await timeCommand(PACT_BIN, [
        'verifier', '--file', path.join(dir, file), '--hostname', '127.0.0.1', '--port', String(mock.port),
        '--provider-name', pact.provider.name, '--state-change-url', `${mock.url}${STATE_PATH}`,
      ]);
      if (run.code !== 0) throw new Error(`pact verifier on ${file} exited ${run.code}: ${run.stderr.trim().slice(-500)}`);
      pactMs += run.ms;
    } finally {
      await mock.stop();
    }
  }
  const errspec = await timeErrspec(['pact', 'verify', '--all', '--allow-writes', '--dir', dir, '--quiet']);
  if (errspec.code !== 0) throw new Error(`errspec pact verify --all exited ${errspec.code}: ${errspec.stderr.trim().slice(-500)}`);
  return { available: true, pacts: files.length, interactions, pactMs, errspecMs: errspec.ms, ratio: errspec.ms / pactMs };
}
