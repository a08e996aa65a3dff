import type { Command } from 'commander';
import { ReportPathError, UsageError } from '../errors';
import { loadProfile } from '../profile/load';
import { parseTarget } from '../proxy/forward';
import type { ProxyRunHead } from '../proxy/recorder';
import { startProxy, type RunningProxy } from '../proxy/server';
import type { EvaluatedExchange } from '../types';
import { Redactor } from '../util/redact';
import { colorFor, exchangeLine, summaryTableOf } from '../../reporters/console';
import { StreamedHtml } from '../../reporters/html-stream';
import { MarkdownTally, renderMarkdownOf } from '../../reporters/markdown';
import { StreamedReport, type RunHead } from '../../reporters/stream';
import { assertWritable, wantsSummary, writeSummary, type ReportTargets } from '../../reporters/write';
import { addProfileOptions, addReportOptions, addSecretNameOptions, reportChoice, type Io, type SecretNameOptions } from './io';
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
  // JUnit and HTML are streamed to files as exchanges are checked: only JSON and the summary can go to stdout.
  reportChoice(options, ['json', 'summary']);
  // A report that cannot be written is found before the proxy listens, not after a day of traffic.
  assertWritable({ json: options.json, junit: options.junit, html: options.html, summary: options.summary });
  const profile = loadProfile(options.vendor);
  // With --json - the report owns stdout: progress goes to stderr.
  const out = options.json === '-' ? io.stderr : io.stdout;
  const color = colorFor(out);
  const { scheme, header } = profile.doc.auth;
  const redactor = new Redactor([], [...(scheme === 'api-key' ? [header ?? 'x-api-key'] : []), ...(options.secretHeader ?? [])], options.secretParam ?? []);
  const reports = new LiveReports(profile.id, options, io.stdout, { vendor: profile.id, target: options.target, targetKind: 'proxy-upstream', source: 'proxy' });
  const progress = options.quiet ? undefined : new ProgressLines(out, (exchange) => exchangeLine(profile.id, exchange, { color }));
  let running: RunningProxy;
  try {
    running = await startProxy(profile, {
      target: options.target,
      host: options.host,
      port,
      strict: options.strict,
      maxBodyBytes,
      redactor,
      onExchange: (exchange) => {
        progress?.add(exchange);
        reports.add(exchange);
      },
    });
  } catch (error) {
    reports.abort();
    throw error;
  }
  out.write(`listening on ${running.url}\n`);
  // Signals stay handled until the reports are written: a second one must not kill the process half-way.
  const signals = untilSignal(() => void running.close());
  try {
    const signal = await signals.received;
    io.stderr.write(`errspec: ${signal} received: stopping the proxy and writing the reports (again to stop waiting for requests in flight)\n`);
    const head = await running.close({ graceMs });
    progress?.end();
    out.write(`${summaryTableOf([head], { color })}\n`);
    for (const note of head.notes ?? []) out.write(`${head.vendor}: ${note}\n`);
    if (head.summary.exchanges === 0) out.write(`${head.vendor}: no error response passed through the proxy (${running.requests} requests forwarded)\n`);
    const written = reports.finish(head);
    if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
    // As exitCodeOf: 3 when the target could not be reached at all, 1 on any failure or error.
    return head.unreachable ? 3 : head.failed ? 1 : 0;
  } finally {
    progress?.end();
    reports.abort();
    signals.dispose();
  }
}

/**
 * The reports of a proxy run, written as its exchanges are checked: JSON and JUnit (reporters/stream.ts)
 * and the HTML page (reporters/html-stream.ts) go to part files beside their targets, the Markdown
 * summary keeps its totals and first failures; finish() writes each report whole. Nothing grows in memory.
 */
class LiveReports {
  private readonly streams: { option: keyof ReportTargets; report: StreamedReport | StreamedHtml; failed?: string }[] = [];
  private readonly markdown?: MarkdownTally;

  /** `known`: the target as given, so the reports' heads reserve room for it. */
  constructor(vendor: string, private readonly targets: ReportTargets, stdout: NodeJS.WritableStream, known: Partial<RunHead>) {
    try {
      if (targets.junit) this.streams.push({ option: 'junit', report: StreamedReport.junit(targets.junit, vendor, known) });
      if (targets.json) this.streams.push({ option: 'json', report: StreamedReport.json(targets.json === '-' ? stdout : targets.json, known) });
      if (targets.html) this.streams.push({ option: 'html', report: new StreamedHtml(targets.html) });
      if (wantsSummary(targets)) this.markdown = new MarkdownTally();
    } catch (error) {
      this.abort();
      throw error;
    }
  }

  /** Add an exchange to every report; one that cannot be written (a full disk) is dropped, said at the end, and never stops the proxy. */
  add(exchange: EvaluatedExchange): void {
    for (const stream of this.streams) {
      if (stream.failed) continue;
      try {
        stream.report.add(exchange);
      } catch (error) {
        stream.failed = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        stream.report.abort();
      }
    }
    this.markdown?.add(exchange);
  }

  /** Write every report; returns the files written. Throws ReportPathError, once the others are written, for one that could not be. */
  finish(head: ProxyRunHead): string[] {
    const written: string[] = [];
    for (const stream of this.streams) {
      if (stream.failed) continue;
      try {
        stream.report.finish(head);
        if (this.targets[stream.option] !== '-') written.push(this.targets[stream.option]!);
      } catch (error) {
        stream.failed = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      }
    }
    if (this.markdown) written.push(...writeSummary(renderMarkdownOf([this.markdown.run(head)]), this.targets));
    const failed = this.streams.filter((s) => s.failed);
    if (failed.length > 0) {
      throw new ReportPathError(`${failed.map((s) => `--${s.option} ${this.targets[s.option]}: the report could not be written (${s.failed})`).join('; ')}${written.length > 0 ? `; written: ${written.join(', ')}` : ''}`);
    }
    return written;
  }

  /** Remove the part files of reports not finished. */
  abort(): void {
    for (const stream of this.streams) stream.report.abort();
  }
}

/** Progress lines written at most this often, in one write. */
const PROGRESS_INTERVAL_MS = 250;
/** Lines shown per interval; the others are counted in one line. */
const PROGRESS_LINES = 200;

/**
 * One line per checked error response, gathered and written a few times a second rather than one
 * synchronous write each; past PROGRESS_LINES in an interval the rest are counted, not kept, so a
 * busy proxy prints (and holds) a bounded amount whatever its traffic. The reports list every exchange.
 */
class ProgressLines {
  private lines: string[] = [];
  private more = 0;
  private moreFailed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: NodeJS.WritableStream, private readonly line: (exchange: EvaluatedExchange) => string) {}

  add(exchange: EvaluatedExchange): void {
    if (this.lines.length < PROGRESS_LINES) this.lines.push(this.line(exchange));
    else {
      this.more++;
      if (!exchange.ok) this.moreFailed++;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), PROGRESS_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Write what is gathered now (before the summary). */
  end(): void {
    this.flush();
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.more > 0) this.lines.push(`... and ${this.more} more error responses checked (${this.moreFailed} not ok): the reports list every one`);
    if (this.lines.length > 0) this.out.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
    this.more = 0;
    this.moreFailed = 0;
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
