import type { AggregatedResult, Config, Reporter, ReporterOnStartOptions, Test, TestContext, TestResult } from '@jest/reporters';
import path from 'node:path';
import { readRunResults } from '../src/verify/run-vendor';
import { settingsFromEnv } from '../src/verify/settings';
import { writeReports, type ReportTargets } from './write';

/** Options of the reporter in a Jest config: `['errspec/dist/reporters/jest-reporter', { junit: 'reports/junit.xml' }]`. */
export interface ErrspecReporterOptions extends ReportTargets {
  /** Where the suites write their runs (default: ERRSPEC_RESULTS_DIR or reports/.errspec-runs). */
  resultsDir?: string;
}

/**
 * Writes errspec's reports (JUnit per SPEC §5, JSON, HTML) from the runs the conformance suites recorded,
 * so a user's own Jest gets the same JUnit as `errspec verify`.
 */
export default class ErrspecJestReporter implements Pick<Reporter, 'onRunComplete' | 'getLastError'> {
  private lastError: Error | undefined;
  private readonly options: ErrspecReporterOptions;

  constructor(_globalConfig: Config.GlobalConfig, options: ErrspecReporterOptions = {}) {
    this.options = options;
  }

  onRunStart(_results: AggregatedResult, _options: ReporterOnStartOptions): void {}

  onTestResult(_test: Test, _result: TestResult): void {}

  onRunComplete(_contexts: Set<TestContext>, _results: AggregatedResult): void {
    const resultsDir = path.resolve(this.options.resultsDir ?? settingsFromEnv().resultsDir);
    const runs = readRunResults(resultsDir);
    if (runs.length === 0) {
      this.lastError = new Error(`errspec reporter: no conformance runs in ${resultsDir}`);
      return;
    }
    const { resultsDir: _ignored, ...targets } = this.options;
    writeReports(runs, targets);
  }

  getLastError(): Error | undefined {
    return this.lastError;
  }
}
