import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedResponse } from '../types';
import { parseRetryAfter, retryAfterSeconds } from '../util/retry-after';

/** Politeness as behaviour: after a 429 (or 503) with Retry-After, wait before the next request to that host. */
export class HostPacer {
  private readonly notBefore = new Map<string, number>();
  /** Total milliseconds waited, for reports and tests. */
  waitedMs = 0;

  constructor(private readonly maxWaitSeconds: number, private readonly now: () => number = Date.now) {}

  observe(host: string, response: RecordedResponse): void {
    if (response.status !== 429 && response.status !== 503) return;
    const raw = response.headers['retry-after'];
    if (raw === undefined) return;
    const dateHeader = response.headers['date'] ? Date.parse(response.headers['date']) : Number.NaN;
    const seconds = retryAfterSeconds(parseRetryAfter(raw), Number.isNaN(dateHeader) ? this.now() : dateHeader);
    if (seconds === undefined) return;
    this.notBefore.set(host, this.now() + Math.min(seconds, this.maxWaitSeconds) * 1000);
  }

  async wait(host: string, signal?: AbortSignal): Promise<void> {
    const until = this.notBefore.get(host);
    if (until === undefined) return;
    this.notBefore.delete(host);
    const ms = until - this.now();
    if (ms <= 0) return;
    this.waitedMs += ms;
    await sleep(ms, undefined, { signal }).catch(() => undefined);
  }
}
