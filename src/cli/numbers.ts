import { UsageError } from '../errors';

/** Largest delay Node's timers honour: above it setTimeout fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ranges of the numeric command-line options: those of `schemas/config.schema.json` where the config
 * has the setting, so a flag and a config value are refused alike; every millisecond value stays a
 * valid timer delay.
 */
export const RANGES = {
  '--timeout': [1, 600_000],
  '--max-body-bytes': [1024, MAX_TIMER_MS],
  '--max-requests': [1, 10_000],
  '--max-wait': [0, 3600],
  '--concurrency': [1, 16],
  '--max-probes': [1, 100_000],
  '--port': [0, 65_535],
  '--grace': [0, 600_000],
  '--latency': [0, 600_000],
  '--rate-limit-after': [0, MAX_TIMER_MS],
  '--server-error-every': [1, MAX_TIMER_MS],
  '--rate-limit-window': [1, 86_400],
  '--token-ttl': [1, 86_400],
  '--grade-requests': [1, 1_000_000],
} as const satisfies Record<string, readonly [number, number]>;

export type NumericOption = keyof typeof RANGES;

/** A whole number in the option's range, or a UsageError (exit 2) of one line naming the option and its range. */
export function wholeIn(name: NumericOption, raw: string): number {
  const [min, max] = RANGES[name];
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new UsageError(`${name} takes a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}
