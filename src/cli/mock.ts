import type { Command } from 'commander';
import { startMock, type MockFaults } from '../mock/server';
import { loadProfile } from '../profile/load';
import { UsageError } from '../errors';
import { addProfileOptions, type Io } from './io';
import { wholeIn, type NumericOption } from './numbers';

interface MockCliOptions {
  vendor?: string;
  port: string;
  host: string;
  rateLimitAfter?: string;
  retryAfter?: string;
  serverErrorEvery?: string;
  latency?: string;
}

const optionalIn = (name: NumericOption, raw: string | undefined): number | undefined => (raw === undefined ? undefined : wholeIn(name, raw));

export function registerMockCommand(program: Command, io: Io): void {
  addProfileOptions(program
    .command('mock')
    .description('serve a vendor\'s reference mock until stopped (SIGINT/SIGTERM): it answers every probe as the vendor documents, with faults on demand for testing your client')
    .option('--vendor <id>', 'vendor to mock (see `errspec vendors`)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--rate-limit-after <n>', 'answer 429 with Retry-After once more than N requests arrived in a minute')
    .option('--retry-after <value>', 'Retry-After value of that 429 (default: the vendor\'s example, or the seconds left in the window)')
    .option('--server-error-every <n>', 'answer every Nth request with the vendor\'s documented 5xx (1 = all)')
    .option('--latency <ms>', 'delay every answer'))
    .action(async (options: MockCliOptions) => {
      if (!options.vendor) throw new UsageError('mock needs --vendor ID (see `errspec vendors`)');
      const profile = loadProfile(options.vendor);
      const faults: MockFaults = {
        rateLimitAfter: optionalIn('--rate-limit-after', options.rateLimitAfter),
        retryAfter: options.retryAfter,
        serverErrorEvery: optionalIn('--server-error-every', options.serverErrorEvery),
        latencyMs: optionalIn('--latency', options.latency),
      };
      const mock = await startMock(profile, { host: options.host, port: wholeIn('--port', options.port), faults });
      io.stdout.write(`listening on ${mock.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void mock.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      io.exitCode = 0;
    });
}
