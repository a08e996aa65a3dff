import { parentPort, workerData } from 'node:worker_threads';
import { HarInvalidError } from '../errors';
import { HarCapture, type RawBatch } from '../har/read';
import { loadProfile } from '../profile/load';
import type { EvaluatedExchange } from '../types';
import { Redactor } from '../util/redact';
import { processBatch, type WorkerReply, type WorkerSetup } from './check-har-parallel';

/** A worker of checkHarRendered: raw batches of a HAR in, rendered exchanges and totals out. */
const setup = workerData as WorkerSetup;
const profile = loadProfile(setup.profile);
const capture = new HarCapture(new Redactor([], setup.secretNames?.headers, setup.secretNames?.params));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const render = (require(setup.renderer.module) as { createRenderer: (options: unknown) => (e: EvaluatedExchange) => unknown }).createRenderer(setup.renderer.options);

parentPort!.on('message', ({ id, batch }: { id: number; batch: RawBatch }) => {
  let reply: WorkerReply<unknown>;
  try {
    reply = { id, result: processBatch(profile, setup.file, capture, setup.strict, render, batch, setup.shard) };
  } catch (error) {
    reply = { id, error: { message: (error as Error).message, har: error instanceof HarInvalidError } };
  }
  parentPort!.postMessage(reply);
});
