import type { Command } from 'commander';
import { startMock, mockErrorNames, SCENARIO_OK, type MockFaults } from '../mock/server';
import { codeAnswers } from '../mock/responses';
import { PREFER_TOKEN } from '../mock/responses';
import { exitCodeOf } from '../engine/summary';
import { loadProfile } from '../profile/load';
import { ConfigInvalidError, UsageError } from '../errors';
import { loadConfig } from '../config/load';
import type { Profile } from '../profile/profile';
import { colorFor, exchangeLine, summaryTable } from '../../reporters/console';
import { assertWritable, writeReports } from '../../reporters/write';
import { addProfileOptions, reportChoice, type Io } from './io';
import { wholeIn, type NumericOption } from './numbers';

interface MockCliOptions {
  vendor?: string;
  port: string;
  host: string;
  list?: boolean;
  config?: string;
  rateLimitAfter?: string;
  rateLimitWindow?: string;
  retryAfter?: string;
  serverErrorEvery?: string;
  latency?: string;
  tokenTtl?: string;
  grade?: boolean;
  gradeRequests?: string;
  junit?: string;
  json?: string;
  html?: string;
}

const optionalIn = (name: NumericOption, raw: string | undefined): number | undefined => (raw === undefined ? undefined : wholeIn(name, raw));

export function registerMockCommand(program: Command, io: Io): void {
  addProfileOptions(program
    .command('mock')
    .description(`serve a vendor's reference mock until stopped (SIGINT/SIGTERM): it answers every probe as the vendor documents, any documented error on request (Prefer: ${PREFER_TOKEN}=<code>), with faults on demand, and grades the client talking to it (--grade)`)
    .option('--vendor <id>', 'vendor to mock (see `errspec vendors`)')
    .option('--port <n>', 'port to listen on (0 = any free port)', '0')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--config <file>', 'errspec config YAML: vendors.<id>.mock.scenarios scripts answers a client asks for with Prefer: errspec-error=<scenario>')
    .option('--list', `print every error a client can ask for with Prefer: ${PREFER_TOKEN}=<name>, and exit`)
    .option('--rate-limit-after <n>', 'answer 429 once more than N requests arrived in the rate-limit window')
    .option('--rate-limit-window <seconds>', 'length of that window (default 60); Retry-After is the seconds until it resets')
    .option('--retry-after <value>', 'Retry-After value of that 429 (default: the seconds until the window resets)')
    .option('--server-error-every <n>', 'answer every Nth request with the vendor\'s documented 5xx (1 = all)')
    .option('--latency <ms>', 'delay every answer')
    .option('--token-ttl <seconds>', 'lifetime of the tokens the OAuth token endpoint issues (vendors with one: opescare)')
    .option('--grade', 'grade the client against what the vendor document tells a client to do; the verdicts are written when stopped or after --grade-requests')
    .option('--grade-requests <n>', 'with --grade: stop and write the verdicts after N requests')
    .option('--junit <file>', 'with --grade: JUnit XML of the verdicts')
    .option('--json <file>', 'with --grade: JSON report of the verdicts (- for stdout)')
    .option('--html <file>', 'with --grade: HTML report of the verdicts'))
    .action(async (options: MockCliOptions) => {
      if (!options.vendor) throw new UsageError('mock needs --vendor ID (see `errspec vendors`)');
      const profile = loadProfile(options.vendor);
      const scenarios = options.config ? scenariosOf(options.config, profile) : {};
      if (options.list) {
        const names = mockErrorNames(profile, scenarios);
        const width = Math.max(...names.map((n) => n.name.length));
        io.stdout.write(`${names.length} errors of ${profile.id}: send Prefer: ${PREFER_TOKEN}=<name>\n`);
        for (const n of names) io.stdout.write(`${n.name.padEnd(width)}  ${n.status}  ${n.description}\n`);
        io.exitCode = 0;
        return;
      }
      const reports = { junit: options.junit, json: options.json, html: options.html };
      const grading = options.grade === true;
      if (!grading && (options.junit || options.json || options.html || options.gradeRequests)) {
        throw new UsageError('--junit, --json, --html and --grade-requests need --grade');
      }
      if (grading) assertWritable(reportChoice(reports).targets);
      const faults: MockFaults = {
        rateLimitAfter: optionalIn('--rate-limit-after', options.rateLimitAfter),
        rateLimitWindowSeconds: optionalIn('--rate-limit-window', options.rateLimitWindow),
        retryAfter: options.retryAfter,
        serverErrorEvery: optionalIn('--server-error-every', options.serverErrorEvery),
        latencyMs: optionalIn('--latency', options.latency),
      };
      const gradeRequests = optionalIn('--grade-requests', options.gradeRequests);
      const ttlSeconds = optionalIn('--token-ttl', options.tokenTtl);
      let stop: () => void = () => undefined;
      const mock = await startMock(profile, {
        host: options.host,
        port: wholeIn('--port', options.port),
        faults,
        scenarios,
        oauth: ttlSeconds === undefined ? undefined : { ttlSeconds },
        grade: grading,
        onRequests: grading && gradeRequests !== undefined ? { count: gradeRequests, callback: () => stop() } : undefined,
      });
      io.stdout.write(`listening on ${mock.url}\n`);
      await new Promise<void>((resolve) => {
        stop = (): void => {
          stop = () => undefined;
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          // The verdict is taken when the client stops: requests still arriving are not graded.
          const run = grading ? mock.grade() : undefined;
          void mock.close().then(() => {
            if (run) {
              if (reports.json !== '-') {
                const color = colorFor(io.stdout);
                for (const exchange of run.exchanges) io.stdout.write(`${exchangeLine(run.vendor, exchange, { color })}\n`);
                io.stdout.write(`${summaryTable([run], { color })}\n`);
              }
              writeReports([run], reports, io.stdout);
              io.exitCode = exitCodeOf([run]);
            } else io.exitCode = 0;
            resolve();
          });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}

/** The config's scenarios for this vendor; a step that is no documented code (nor ok) is a config error naming it. */
function scenariosOf(file: string, profile: Profile): Record<string, string[]> {
  const scenarios = loadConfig(file).vendors?.[profile.id]?.mock?.scenarios ?? {};
  const answers = codeAnswers(profile);
  for (const [name, steps] of Object.entries(scenarios)) {
    const bad = steps.find((step) => step !== SCENARIO_OK && !answers.has(step));
    if (bad !== undefined) {
      throw new ConfigInvalidError(`${file}: config invalid: vendors.${profile.id}.mock.scenarios.${name}: "${bad}" is neither ${SCENARIO_OK} nor a documented code of ${profile.id} (errspec mock --vendor ${profile.id} --list)`);
    }
  }
  return scenarios;
}
