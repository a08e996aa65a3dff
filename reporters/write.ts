import { appendFileSync } from 'node:fs';
import type { VendorRun } from '../src/types';
import { writeFileAtomic } from '../src/util/write-atomic';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';

/** Where each report goes; `json: '-'` is stdout. */
export interface ReportTargets {
  json?: string;
  junit?: string;
  html?: string;
  /** The Markdown summary (`--summary FILE`). */
  summary?: string;
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
  if (targets.junit) {
    writeFileAtomic(targets.junit, renderJunit(runs));
    written.push(targets.junit);
  }
  if (targets.json === '-') stdout.write(renderJson(runs));
  else if (targets.json) {
    writeFileAtomic(targets.json, renderJson(runs));
    written.push(targets.json);
  }
  if (targets.html) {
    writeFileAtomic(targets.html, renderHtml(runs));
    written.push(targets.html);
  }
  const stepSummary = env.GITHUB_STEP_SUMMARY;
  if (targets.summary || stepSummary) {
    const markdown = renderMarkdown(runs);
    if (targets.summary) {
      writeFileAtomic(targets.summary, markdown);
      written.push(targets.summary);
    }
    // GitHub Actions renders this file on the job page; other steps append to it too, so never overwrite.
    if (stepSummary) appendFileSync(stepSummary, markdown);
  }
  return written;
}
