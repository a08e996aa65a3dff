import type { Command } from 'commander';
import { checkHar } from '../engine/check-har';
import { exitCodeOf } from '../engine/summary';
import { loadProfile } from '../profile/load';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { writeReports } from '../../reporters/write';
import { addReportOptions, type Io } from './main';
import { UsageError } from '../errors';

interface CheckOptions {
  vendor?: string;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  strict: boolean;
  quiet: boolean;
}

export function registerCheckCommand(program: Command, io: Io): void {
  addReportOptions(
    program
      .command('check')
      .description('check every non-2xx entry of a HAR 1.2 file against a vendor contract (sends no request)')
      .argument('<file.har>', 'HAR 1.2 file captured from a browser or proxy')
      .option('--vendor <id>', 'vendor profile to check against (see `errspec vendors`), or a profile YAML file'),
  ).action((file: string, options: CheckOptions) => {
    if (!options.vendor) throw new UsageError('check needs --vendor ID (see `errspec vendors`)');
    const run = checkHar(loadProfile(options.vendor), file, { strict: options.strict });
    const out = options.json === '-' ? io.stderr : io.stdout;
    const color = colorFor(out);
    if (!options.quiet) for (const exchange of run.exchanges) if (exchange.findings.length > 0) out.write(`${exchangeLine(run.vendor, exchange, { color })}\n`);
    out.write(`${summaryTable([run], { color })}\n`);
    const written = writeReports([run], options, io.stdout);
    if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
    io.exitCode = exitCodeOf([run]);
  });
}
