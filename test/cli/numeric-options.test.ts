import { RANGES } from '../../src/cli/numbers';
import { runCli } from '../helpers/cli';

describe('issue 14 item 8: numeric options are bounded', () => {
  test.each([
    [['verify', '--vendor', 'opescare', '--max-wait', '300000'], '--max-wait', '300000'],
    [['verify', '--vendor', 'opescare', '--max-requests', '300000'], '--max-requests', '300000'],
    [['verify', '--vendor', 'opescare', '--timeout', '30000000'], '--timeout', '30000000'],
    [['verify', '--vendor', 'opescare', '--timeout', '0'], '--timeout', '0'],
    [['verify', '--vendor', 'opescare', '--concurrency', '17'], '--concurrency', '17'],
    [['verify', '--vendor', 'opescare', '--max-body-bytes', '99999999999'], '--max-body-bytes', '99999999999'],
    [['verify', '--vendor', 'opescare', '--max-probes', '0'], '--max-probes', '0'],
    [['pact', 'verify', '--vendor', 'opescare', '--timeout', '99999999999'], '--timeout', '99999999999'],
    [['mock', '--vendor', 'opescare', '--latency', '3000000000'], '--latency', '3000000000'],
    [['mock', '--vendor', 'opescare', '--port', '65536'], '--port', '65536'],
    [['mock', '--vendor', 'opescare', '--server-error-every', '0'], '--server-error-every', '0'],
    [['proxy', '--vendor', 'opescare', '--target', 'http://127.0.0.1:9', '--grace', '99999999999'], '--grace', '99999999999'],
    [['proxy', '--vendor', 'opescare', '--target', 'http://127.0.0.1:9', '--max-body-bytes', '1'], '--max-body-bytes', '1'],
  ] as const)('%j: exit 2, one line naming the option and its range', async (args, option, raw) => {
    const result = await runCli([...args]);
    expect(result.code).toBe(2);
    const [min, max] = RANGES[option];
    expect(result.stderr).toBe(`errspec: ${option} takes a whole number from ${min} to ${max}, got "${raw}"\n`);
  });

  test('no range lets a millisecond value past the largest timer delay', () => {
    for (const name of ['--timeout', '--grace', '--latency'] as const) expect(RANGES[name][1]).toBeLessThanOrEqual(2 ** 31 - 1);
    expect(RANGES['--max-wait'][1] * 1000).toBeLessThanOrEqual(2 ** 31 - 1);
  });

  test('the largest accepted values still end in a verdict against the embedded mock (the suite budget is a valid timer)', async () => {
    const result = await runCli(['verify', '--vendor', 'opescare', '--timeout', '600000', '--max-requests', '10000', '--max-wait', '3600', '--quiet']);
    expect(result.stderr).not.toContain('did not complete');
    expect(result.code).toBe(0);
  });
});
