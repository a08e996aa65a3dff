import type { Command } from 'commander';
import type { HarRunHead } from '../engine/check-har';
import { checkHarRendered } from '../engine/check-har-parallel';
import { loadProfile } from '../profile/load';
import type { EvaluatedExchange } from '../types';
import { colorFor, summaryTableOf } from '../../reporters/console';
import { StreamedReport } from '../../reporters/stream';
import type { HarRenderOptions, RenderedExchange } from '../../reporters/har-render';
import { addReportOptions, addSecretNameOptions, type Io, type SecretNameOptions } from './io';
import { UsageError } from '../errors';

/** Renders each exchange where it is checked (possibly a worker thread), so only text comes back. */
const RENDERER = require.resolve('../../reporters/har-render');

interface CheckOptions extends SecretNameOptions {
  vendor?: string;
  json?: string;
  junit?: string;
  html?: string;
  summary?: string;
  strict: boolean;
  quiet: boolean;
}

export function registerCheckCommand(program: Command, io: Io): void {
  addSecretNameOptions(addReportOptions(
    program
      .command('check')
      .description('check every non-2xx entry of a HAR 1.2 file against a vendor contract (sends no request)')
      .argument('<file.har>', 'HAR 1.2 file captured from a browser or proxy')
      .option('--vendor <id>', 'vendor profile to check against (see `errspec vendors`), or a profile YAML file'),
  )).action(async (file: string, options: CheckOptions) => {
    if (!options.vendor) throw new UsageError('check needs --vendor ID (see `errspec vendors`)');
    const profile = loadProfile(options.vendor);
    const out = options.json === '-' ? io.stderr : io.stdout;
    const color = colorFor(out);
    // A capture can hold 100,000s of entries: JSON and JUnit are streamed; the HTML page and the Markdown summary need the whole run.
    const keepRun = Boolean(options.html || options.summary || process.env.GITHUB_STEP_SUMMARY);
    const known = { vendor: profile.id, target: file, source: 'har' as const };
    const junit = options.junit ? StreamedReport.junit(options.junit, profile.id, known) : undefined;
    const json = options.json ? StreamedReport.json(options.json === '-' ? io.stdout : options.json, known) : undefined;
    const lines = new LineBuffer(out);
    const exchanges: EvaluatedExchange[] = [];
    const renderer: HarRenderOptions = { vendor: profile.id, color, lines: !options.quiet, json: Boolean(json), junit: Boolean(junit), keep: keepRun };
    let head: HarRunHead;
    try {
      head = await checkHarRendered<RenderedExchange>(options.vendor, file, { strict: options.strict, secretNames: { headers: options.secretHeader, params: options.secretParam } }, { module: RENDERER, options: renderer }, (rendered) => {
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
    }
    lines.end();
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

/** Progress lines of a large capture, printed after the run and in large writes rather than one write per line. */
class LineBuffer {
  private readonly lines: string[] = [];

  constructor(private readonly out: NodeJS.WritableStream) {}

  push(line: string): void {
    this.lines.push(line);
  }

  end(): void {
    for (let i = 0; i < this.lines.length; i += 1000) this.out.write(`${this.lines.slice(i, i + 1000).join('\n')}\n`);
  }
}
