import { median, timeErrspec } from './util';

export interface VerifyFigures {
  /** Median wall time of the cold runs, ms. */
  all: number;
  opescare: number;
  runsAll: number[];
  runsOpescare: number[];
}

async function coldRuns(args: string[], runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await timeErrspec(args);
    if (run.code !== 0) throw new Error(`errspec ${args.join(' ')} exited ${run.code}: ${run.stderr.trim()}`);
    times.push(run.ms);
  }
  return times;
}

/**
 * Cold `errspec verify` against the embedded mocks: a new process each run, the mocks
 * included. One run first, not counted, so the file cache is warm as on a CI runner's second step.
 */
export async function benchVerify(runs = 5): Promise<VerifyFigures> {
  await coldRuns(['verify', '--all', '--quiet'], 1);
  const runsAll = await coldRuns(['verify', '--all', '--quiet'], runs);
  const runsOpescare = await coldRuns(['verify', '--vendor', 'opescare', '--quiet'], runs);
  return { all: median(runsAll), opescare: median(runsOpescare), runsAll, runsOpescare };
}
