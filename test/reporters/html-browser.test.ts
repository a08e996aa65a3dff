import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderHtml } from '../../reporters/html';
import { writeFileAtomic } from '../../src/util/write-atomic';
import type { VendorRun } from '../../src/types';
import { ROOT } from '../helpers/cli';
import { fixedRun, hostileRun, passingRun, unreachableRun } from '../helpers/runs';

/** Debian's Chromium (CI installs it in .ci/run); CHROMIUM may point elsewhere. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const REPORTS = path.join(ROOT, 'reports');

let profile: string;

function chromium(args: string[]): Promise<string> {
  const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`];
  return new Promise((resolve, reject) => {
    // The kill timer only stops a hung browser; no assertion depends on how long it took.
    execFile(CHROMIUM, [...flags, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 50_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The DOM after the page's scripts ran. */
const dumpDom = (url: string): Promise<string> => chromium(['--dump-dom', url]);

function writePage(name: string, runs: VendorRun[]): string {
  const file = path.join(REPORTS, name);
  writeFileAtomic(file, renderHtml(runs));
  return pathToFileURL(file).href;
}

beforeAll(() => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the HTML report's browser test needs Debian's chromium `
      + '(apt-get update && apt-get install -y chromium; .ci/run installs it), or set CHROMIUM to a Chromium binary.');
  }
  profile = mkdtempSync(path.join(os.tmpdir(), 'errspec-chromium-'));
  mkdirSync(REPORTS, { recursive: true });
});

afterAll(() => {
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the HTML report in headless Chromium', () => {
  it('shows every failure detail after its scripts ran, and saves a screenshot', async () => {
    const url = writePage('html-report.html', [fixedRun(), passingRun(), unreachableRun()]);
    const dom = await dumpDom(url);
    // The page's own script ran under its Content-Security-Policy.
    expect(dom).toMatch(/<html lang="en" class="js" data-ready="true">/);
    // One tab per vendor; the first is selected and the others' panels are hidden.
    expect(dom).toMatch(/<a role="tab" id="tab-0"[^>]*aria-selected="true"/);
    expect(dom).toMatch(/<a role="tab" id="tab-1"[^>]*aria-selected="false"/);
    expect(dom).toMatch(/<section class="run" id="run-1"[^>]*hidden=""/);
    // The failure: rule id, text and source, expected and actual, request, response and curl.
    expect(dom).toContain('code not_found is not in the documented list for 404');
    expect(dom).toContain('opescare.code-table');
    expect(dom).toContain('Machine-Readable Error Codes: patient_not_found, facility_not_found');
    expect(dom).toMatch(/<h4>Expected<\/h4><pre>\[\s+"patient_not_found",\s+"facility_not_found"\s+\]<\/pre>/);
    expect(dom).toContain('<h4>Actual</h4><pre>not_found</pre>');
    expect(dom).toContain('GET http://127.0.0.1:4010/api/v1/connect/patient/OPC-2024-99999\nauthorization: Bearer [REDACTED]');
    expect(dom).toContain('HTTP 404\ncontent-type: application/json');
    expect(dom).toContain('"error": "not_found"');
    expect(dom).toContain('curl -i -X GET \'http://127.0.0.1:4010/api/v1/connect/patient/OPC-2024-99999\' -H "Authorization: Bearer ${ERRSPEC_TOKEN}"');
    // The transport error and the unreachable vendor.
    expect(dom).toContain('ECONNRESET: socket hang up');
    expect(dom).toContain('connect ECONNREFUSED 127.0.0.1:9');

    const screenshot = path.join(REPORTS, 'html-report.png');
    rmSync(screenshot, { force: true });
    await chromium([`--screenshot=${screenshot}`, '--window-size=1400,1000', url]);
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
  });

  it('filters to failures only', async () => {
    const url = writePage('html-report-failures.html', [fixedRun()]);
    const dom = await dumpDom(`${url}#failures`);
    expect(dom).toMatch(/<input type="checkbox" id="failures-only">/);
    expect(dom).toMatch(/<body class="failures-only">/);
    expect(dom).toContain('<tr class="clean">');
  });

  it('runs no script and loads nothing from a hostile response', async () => {
    const url = writePage('html-report-hostile.html', [hostileRun()]);
    const dom = await dumpDom(url);
    expect(dom).toContain('data-ready="true"');
    expect(dom).toContain('<title>errspec: opescare (2 failed)</title>');
    expect(dom.match(/<script/g)).toHaveLength(1);
    expect(dom).not.toMatch(/<img/);
    expect(dom).toContain('&lt;script&gt;document.title="pwned"&lt;/script&gt;');
    expect(dom).toContain('\\u0000\\u0001');
  });
});
