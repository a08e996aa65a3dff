import type { VendorRun } from '../src/types';
import { writeFileAtomic } from '../src/util/write-atomic';
import { renderJson } from './json';
import { renderJunit } from './junit';

/** Where each report goes; `json: '-'` is stdout. */
export interface ReportTargets {
  json?: string;
  junit?: string;
  html?: string;
}

export type HtmlRenderer = (runs: VendorRun[]) => string;

let htmlRenderer: HtmlRenderer | undefined;

/** The HTML writer registers itself here, so reporters stay one-way: runs in, files out. */
export function registerHtmlRenderer(render: HtmlRenderer): void {
  htmlRenderer = render;
}

/** Write every requested report of these runs. Returns the files written. */
export function writeReports(runs: VendorRun[], targets: ReportTargets, stdout: NodeJS.WritableStream = process.stdout): string[] {
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
  if (targets.html && htmlRenderer) {
    writeFileAtomic(targets.html, htmlRenderer(runs));
    written.push(targets.html);
  }
  return written;
}
