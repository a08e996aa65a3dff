import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';

const temp = () => mkdtempSync(path.join(os.tmpdir(), 'errspec-report-options-'));

describe('report options (issue 15)', () => {
  test('--junit - writes the JUnit report to stdout, and the progress and summary go to stderr', async () => {
    const result = await runCli(['verify', '--vendor', 'opescare', '--junit', '-']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('<?xml')).toBe(true);
    expect(result.stdout.trimEnd().endsWith('</testsuites>')).toBe(true);
    expect(result.stderr).toContain('opescare');
  });

  test('--html - writes the HTML report to stdout', async () => {
    const result = await runCli(['verify', '--vendor', 'opescare', '--html', '-', '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith('<!doctype html>') || result.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  test('two reports on stdout are refused with exit 2 before anything is sent', async () => {
    const result = await runCli(['verify', '--vendor', 'opescare', '--json', '-', '--junit', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('only one report can go to stdout; --json - and --junit - were given');
    expect(result.stdout).toBe('');
  });

  test('check streams JUnit to a file: --junit - is refused with exit 2', async () => {
    const result = await runCli(['check', 'test/fixtures/har/opescare.har', '--vendor', 'opescare', '--junit', '-']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--junit - is not supported by this command');
  });

  test('proxy streams JUnit and HTML to files: --junit - and --html - are refused with exit 2 before it listens', async () => {
    for (const option of ['--junit', '--html']) {
      const result = await runCli(['proxy', '--vendor', 'opescare', '--target', 'http://127.0.0.1:9', option, '-']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${option} - is not supported by this command`);
      expect(result.stdout).not.toContain('listening on');
    }
  });

  test('--vendor with --all is refused with exit 2, in verify and in pact verify', async () => {
    for (const args of [['verify', '--vendor', 'opescare', '--all'], ['pact', 'verify', '--vendor', 'opescare', '--all']]) {
      const result = await runCli(args);
      expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({ code: 2, stderr: 'errspec: give --vendor ID or --all, not both' });
    }
  });

  test('a probe skipped in the config is in every report as skipped by config', async () => {
    const dir = temp();
    const config = path.join(dir, 'errspec.yaml');
    writeFileSync(config, 'vendors:\n  opescare:\n    probes:\n      unknown-patient: { skip: true }\n');
    const json = path.join(dir, 'r.json');
    const junit = path.join(dir, 'r.xml');
    const html = path.join(dir, 'r.html');
    const summary = path.join(dir, 'r.md');
    const result = await runCli(['verify', '--vendor', 'opescare', '--config', config, '--json', json, '--junit', junit, '--html', html, '--summary', summary, '--quiet']);
    expect(result.code).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { exchanges: { id: string; findings: { outcome: string; message: string }[] }[] };
    const skipped = report.exchanges.find((e) => e.id === 'unknown-patient')!;
    expect(skipped.findings.length).toBeGreaterThan(0);
    for (const f of skipped.findings) expect(f).toMatchObject({ outcome: 'skip', message: 'skipped by config (probes.unknown-patient.skip: true): not sent' });
    expect(readFileSync(junit, 'utf8')).toMatch(/name="unknown-patient &gt; [a-z-]+"[^>]*>\s*<skipped[^>]*>skipped by config/);
    expect(readFileSync(html, 'utf8')).toContain('skipped by config (probes.unknown-patient.skip: true)');
  });
});
