import { UsageError } from '../errors';

/**
 * `--shard I/N`: the deterministic split of a run's work over N runners (a CI matrix, a large capture),
 * so that the shards together do exactly the work of one unsharded run, each item once. `errspec merge`
 * puts their JSON reports back together.
 */
export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/** Most shards: more runners than this is a typo, not a matrix. */
const MAX_SHARDS = 1000;

/** `I/N` as given on the command line; throws UsageError (exit 2) for anything else. */
export function parseShard(text: string, option = '--shard'): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    throw new UsageError(`${option} ${text}: expected I/N with 1 <= I <= N <= ${MAX_SHARDS}, e.g. 2/4`);
  }
  return { index, count };
}

/** Whether HAR entry `entry` (0-based index in log.entries) is this shard's: every N-th, starting at I-1. */
export function entryInShard(shard: Shard | undefined, entry: number): boolean {
  return !shard || entry % shard.count === shard.index - 1;
}

/** FNV-1a (32 bit) of a string: the same on every machine and node version. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Whether a vendor's probe is this shard's: by a hash of `vendor/probe`, so adding a vendor or a probe moves no other. */
export function probeInShard(shard: Shard | undefined, vendor: string, probe: string): boolean {
  return !shard || fnv1a(`${vendor}/${probe}`) % shard.count === shard.index - 1;
}
