import type { Command } from 'commander';
import { exitCodeOf } from '../engine/summary';
import { UsageError } from '../errors';
import { loadProfile } from '../profile/load';
import { parseTarget } from '../proxy/forward';
import { startProxy } from '../proxy/server';
import { Redactor } from '../util/redact';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { writeReports } from '../../reporters/write';
import { addProfileOptions, addReportOptions, addSecretNameOptions, type Io, type SecretNameOptions } from './io';
import { wholeIn } from './numbers';

interface ProxyCliOptions extends Partial<SecretNameOptions> {
  vendor?: string;
  target?: string;
  port: string;
  host: string;
  maxBodyBytes: string;
  grace: string;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  strict: boolean;
  quiet: boolean;
}


export function registerProxyCommand(program: Command, io: Io): void {
  addProfileOptions(addSecretNameOptions(addReportOptions(
    program
      .command('proxy')
      .description('forward traffic to --target unchanged and check every error response passing through against the vendor contract.\nPoint your own client or integration tests at the printed address; stop with SIGINT/SIGTERM to write the reports.')
      .option('--vendor <id>', 'vendor profile to check against (see `errspec vendors`), or a profile YAML file')
      .option('--target <url>', 'where every request goes: http(s)://host[:port][/prefix], e.g. the vendor sandbox')
      .option('--port <n>', 'port to listen on (0 = any free port)', '0')
      .option('--host <host>', 'interface to listen on', '127.0.0.1')
      .option('--max-body-bytes <n>', 'bytes of each error response kept for checking (the client always gets all of it)', '1048576')
      .option('--grace <ms>', 'on stop, how long requests in flight may finish before they are cut', '5000'),
  ))).action(async (options: ProxyCliOptions) => {
    io.exitCode = await proxy(options, io);
  });
}

/** Serve until SIGINT/SIGTERM, then write the reports; resolves to the exit code of the verdicts. */
export async function proxy(options: ProxyCliOptions, io: Io): Promise<number> {
  if (!options.vendor) throw new UsageError('proxy needs --vendor ID (see `errspec vendors`)');
  if (!options.target) throw new UsageError('proxy needs --target URL: where to forward the traffic');
  parseTarget(options.target);
  const port = wholeIn('--port', options.port);
  const maxBodyBytes = wholeIn('--max-body-bytes', options.maxBodyBytes);
  const graceMs = wholeIn('--grace', options.grace);
  const profile = loadProfile(options.vendor);
  // With --json - the report owns stdout: progress goes to stderr.
  const out = options.json === '-' ? io.stderr : io.stdout;
  const color = colorFor(out);
  const { scheme, header } = profile.doc.auth;
  const redactor = new Redactor([], [...(scheme === 'api-key' ? [header ?? 'x-api-key'] : []), ...(options.secretHeader ?? [])], options.secretParam ?? []);
  const running = await startProxy(profile, {
    target: options.target,
    host: options.host,
    port,
    strict: options.strict,
    maxBodyBytes,
    redactor,
    onExchange: options.quiet ? undefined : (exchange) => out.write(`${exchangeLine(profile.id, exchange, { color })}\n`),
  });
  out.write(`listening on ${running.url}\n`);
  // Signals stay handled until the reports are written: a second one must not kill the process half-way.
  const signals = untilSignal(() => void running.close());
  try {
    const signal = await signals.received;
    io.stderr.write(`errspec: ${signal} received: stopping the proxy and writing the reports (again to stop waiting for requests in flight)\n`);
    const run = await running.close({ graceMs });
    out.write(`${summaryTable([run], { color })}\n`);
    for (const note of run.notes ?? []) out.write(`${run.vendor}: ${note}\n`);
    if (run.exchanges.length === 0) out.write(`${run.vendor}: no error response passed through the proxy (${running.requests} requests forwarded)\n`);
    const written = writeReports([run], options, io.stdout);
    if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
    return exitCodeOf([run]);
  } finally {
    signals.dispose();
  }
}

/** Resolves on the first SIGINT/SIGTERM; later ones call `again`, until `dispose`. */
function untilSignal(again: () => void): { received: Promise<NodeJS.Signals>; dispose: () => void } {
  let handle: (signal: NodeJS.Signals) => void = () => undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    let first = true;
    handle = (signal) => {
      if (!first) return again();
      first = false;
      resolve(signal);
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  });
  return {
    received,
    dispose: () => {
      process.off('SIGINT', handle);
      process.off('SIGTERM', handle);
    },
  };
}
