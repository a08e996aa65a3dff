import type { Command } from 'commander';
import type { HarRunHead } from '../engine/check-har';
import { checkHarRendered } from '../engine/check-har-parallel';
import { loadProfile } from '../profile/load';
import type { EvaluatedExchange } from '../types';
import { colorFor, summaryTable, summaryTableOf } from '../../reporters/console';
import { abortAllStreamedReports, StreamedReport } from '../../reporters/stream';
import { assertWritable } from '../../reporters/write';
import type { HarRenderOptions, RenderedExchange } from '../../reporters/har-render';
import { addProfileOptions, addReportOptions, addSecretNameOptions, reportChoice, type Io, type SecretNameOptions } from './io';
import { UsageError } from '../errors';
import { addBaselineOptions, checkBaselineOptions, type BaselineOptions } from '../drift/run';
import { parseShard } from '../engine/shard';
import { coverageOf } from '../drift/observe';

/** Renders each exchange where it is checked (possibly a worker thread), so only text comes back. */
const RENDERER = require.resolve('../../reporters/har-render');

interface CheckOptions extends SecretNameOptions, BaselineOptions {
  vendor?: string;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  strict: boolean;
  quiet: boolean;
  shard?: string;
}

export function registerCheckCommand(program: Command, io: Io): void {
  addProfileOptions(addBaselineOptions(addSecretNameOptions(addReportOptions(
    program
      .command('check')
      .description('check every non-2xx entry of a HAR 1.2 file against a vendor contract (sends no request)')
      .argument('<file.har>', 'HAR 1.2 file captured from a browser or proxy')
      .option('--vendor <id>', 'vendor profile to check against (see `errspec vendors`), or a profile YAML file')
      .option('--shard <I/N>', 'check only shard I of N (every N-th entry, from entry I-1), to spread a large capture over runners; `errspec merge` combines the shards\' JSON reports'),
  )))).action(async (file: string, options: CheckOptions) => {
    if (!options.vendor) throw new UsageError('check needs --vendor ID (see `errspec vendors`)');
    // JUnit is streamed to a file as entries are checked: only the JSON report can go to stdout.
    reportChoice(options, ['json']);
    const profile = loadProfile(options.vendor);
    const shard = options.shard === undefined ? undefined : parseShard(options.shard);
    // An unwritable report path is found before the capture is read, not after the whole run.
    assertWritable({ json: options.json, junit: options.junit, html: options.html, summary: options.summary });
    const out = options.json === '-' ? io.stderr : io.stdout;
    const color = colorFor(out);
    // A capture can hold 100,000s of entries: JSON and JUnit are streamed; the HTML page and the Markdown summary need the whole run.
    checkBaselineOptions(options);
    // Drift (--baseline) compares each entry pattern over the whole capture, so its reports are written from the whole run.
    const drift = Boolean(options.baseline);
    const keepRun = Boolean(options.html || options.summary || process.env.GITHUB_STEP_SUMMARY || drift);
    const known = { vendor: profile.id, target: file, targetKind: 'capture' as const, source: 'har' as const, coverage: coverageOf(profile.codes(), []) };
    const junit = options.junit && !drift ? StreamedReport.junit(options.junit, profile.id, known) : undefined;
    const json = options.json && !drift ? StreamedReport.json(options.json === '-' ? io.stdout : options.json, known) : undefined;
    const lines = new LineBuffer(out);
    const exchanges: EvaluatedExchange[] = [];
    const renderer: HarRenderOptions = { vendor: profile.id, color, lines: !options.quiet, json: Boolean(json), junit: Boolean(junit), keep: keepRun };
    let head: HarRunHead;
    // SIGINT/SIGTERM: remove the reports' temporary files (hundreds of MB on a large capture) and stop.
    const interrupted = (signal: NodeJS.Signals): void => {
      abortAllStreamedReports();
      lines.end();
      io.stderr.write(`errspec check: interrupted by ${signal}; no report written\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', interrupted);
    process.once('SIGTERM', interrupted);
    try {
      head = await checkHarRendered<RenderedExchange>(options.vendor, file, { strict: options.strict, shard, secretNames: { headers: options.secretHeader, params: options.secretParam } }, { module: RENDERER, options: renderer }, (rendered) => {
        if (rendered.line !== undefined) lines.push(rendered.line);
        if (rendered.junit !== undefined) junit?.addText(rendered.junit);
        if (rendered.json !== undefined) json?.addText(rendered.json);
        if (rendered.rules) json?.addRules(rendered.rules);
        if (rendered.exchange) exchanges.push(rendered.exchange);
      });
    } catch (error) {
      // An invalid HAR is found before anything is printed or written, as when the file was read whole.
      junit?.abort();
      json?.abort();
      throw error;
    } finally {
      process.off('SIGINT', interrupted);
      process.off('SIGTERM', interrupted);
    }
    lines.end();
    if (drift) {
      io.exitCode = await reportDrift(head, exchanges, options, io, out, color);
      return;
    }
    out.write(`${summaryTableOf([head], { color })}\n`);
    const written: string[] = [];
    junit?.finish(head);
    if (options.junit) written.push(options.junit);
    json?.finish(head);
    if (options.json && options.json !== '-') written.push(options.json);
    if (keepRun) {
      // The HTML and Markdown writers (and xmlbuilder2 through them) load only when a report needs the whole run.
      const { writeReports } = await import('../../reporters/write');
      written.push(...writeReports([{ ...head, exchanges }], { html: options.html, summary: options.summary }, io.stdout));
    }
    if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
    // As exitCodeOf: 1 when a check failed (a HAR has no unreachable target).
    io.exitCode = head.failed ? 1 : 0;
  });
}

/** `check --baseline`: the run with its drift findings (one per entry pattern), every report written from it. */
async function reportDrift(head: HarRunHead, exchanges: EvaluatedExchange[], options: CheckOptions, io: Io, out: NodeJS.WritableStream, color: boolean): Promise<number> {
  const [{ applyBaseline }, { writeReports }, { exitCodeOf }] = await Promise.all([import('../drift/run'), import('../../reporters/write'), import('../engine/summary')]);
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { summary, failed, ...run } = head;
  const { runs } = applyBaseline([{ ...run, exchanges }], options);
  out.write(`${summaryTable(runs, { color })}\n`);
  for (const note of runs[0].notes ?? []) out.write(`${runs[0].vendor}: ${note}\n`);
  const written = writeReports(runs, { json: options.json, junit: options.junit, html: options.html, summary: options.summary }, io.stdout);
  if (!options.quiet) for (const file of written) out.write(`wrote ${file}\n`);
  return exitCodeOf(runs);
}

/** Bytes of progress lines held before they are written: memory stays bounded whatever the capture's size. */
const LINE_BUFFER_BYTES = 1 << 20;

/**
 * Progress lines of a large capture, written in large writes rather than one write per line: held
 * until 1 MiB of them (so a small capture found invalid prints none), then written as they come.
 */
export class LineBuffer {
  private lines: string[] = [];
  private bytes = 0;

  constructor(private readonly out: NodeJS.WritableStream, private readonly limit = LINE_BUFFER_BYTES) {}

  push(line: string): void {
    this.lines.push(line);
    this.bytes += line.length + 1;
    if (this.bytes >= this.limit) this.end();
  }

  /** Write what is held. */
  end(): void {
    if (this.lines.length > 0) this.out.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
    this.bytes = 0;
  }
}
