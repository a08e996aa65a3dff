import { appendFileSync, closeSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { ReportPathError } from '../src/errors';
import type { VendorRun } from '../src/types';
import { writeFileAtomic } from '../src/util/write-atomic';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';

/** Where each report goes; `-` is stdout (one report at most). */
export interface ReportTargets {
  json?: string;
  junit?: string;
  html?: string;
  /** The Markdown summary (`--summary FILE`). */
  summary?: string;
}

/** The option each report target comes from, for messages. */
const OPTION: Record<keyof ReportTargets, string> = { json: '--json', junit: '--junit', html: '--html', summary: '--summary' };

/**
 * Prove every requested report can be written before the run starts: its folder exists or can be made,
 * the path is no folder, and a file can be created beside it. Throws ReportPathError naming the option.
 */
export function assertWritable(targets: ReportTargets): void {
  for (const [key, file] of Object.entries(targets) as [keyof ReportTargets, string | undefined][]) {
    if (!file || file === '-') continue;
    const resolved = path.resolve(file);
    const probe = path.join(path.dirname(resolved), `.${path.basename(resolved)}.${process.pid}.writable`);
    try {
      mkdirSync(path.dirname(resolved), { recursive: true });
      if (statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
      closeSync(openSync(probe, 'wx'));
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new ReportPathError(`${OPTION[key]} ${file}: cannot write the report there (${code ?? message}); nothing was sent`);
    } finally {
      try {
        rmSync(probe, { force: true });
      } catch {
        // No folder there: nothing was created.
      }
    }
  }
}

/**
 * Write every requested report of these runs. Returns the files written.
 * When `GITHUB_STEP_SUMMARY` is set in `env`, the Markdown summary is also appended to that file.
 */
export function writeReports(
  runs: VendorRun[],
  targets: ReportTargets,
  stdout: NodeJS.WritableStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const written: string[] = [];
  // `-` is stdout (the command has made sure only one report asks for it).
  const put = (file: string, text: string): void => {
    if (file === '-') stdout.write(text);
    else {
      writeFileAtomic(file, text);
      written.push(file);
    }
  };
  if (targets.junit) put(targets.junit, renderJunit(runs));
  if (targets.json) put(targets.json, renderJson(runs));
  if (targets.html) put(targets.html, renderHtml(runs));
  if (wantsSummary(targets, env)) written.push(...writeSummary(renderMarkdown(runs), targets, env, stdout));
  return written;
}

/** A Markdown summary is wanted: `--summary FILE`, or `GITHUB_STEP_SUMMARY` set. */
export function wantsSummary(targets: ReportTargets, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(targets.summary || env.GITHUB_STEP_SUMMARY);
}

/** Write the Markdown summary to `--summary` (`-`: stdout) and append it to `GITHUB_STEP_SUMMARY`; returns the files written (not the step summary). */
export function writeSummary(markdown: string, targets: ReportTargets, env: NodeJS.ProcessEnv = process.env, stdout: NodeJS.WritableStream = process.stdout): string[] {
  const written: string[] = [];
  if (targets.summary === '-') stdout.write(markdown);
  else if (targets.summary) {
    writeFileAtomic(targets.summary, markdown);
    written.push(targets.summary);
  }
  // GitHub Actions renders this file on the job page; other steps append to it too, so never overwrite.
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, markdown);
  return written;
}
