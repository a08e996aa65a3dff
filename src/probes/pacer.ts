import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordedResponse } from '../types';
import { parseRetryAfter, retryAfterSeconds } from '../util/retry-after';

/** One back-off errspec honoured, for the run's notes. */
export interface PacerWait {
  host: string;
  /** The Retry-After value that asked for it. */
  retryAfter: string;
  /** Seconds the server asked for. */
  askedSeconds: number;
  /** Seconds errspec waited at most (capped by --max-wait). */
  cappedSeconds: number;
}

/**
 * Politeness as behaviour: after a 429 (or 503) with Retry-After, no request goes to that host before
 * the time it names (capped at maxWaitSeconds). Every request to a host, token requests included, waits here.
 */
export class HostPacer {
  private readonly notBefore = new Map<string, number>();
  /** Total milliseconds waited, for reports and tests. */
  waitedMs = 0;
  /** Each back-off asked for, in order. */
  readonly waits: PacerWait[] = [];

  constructor(private readonly maxWaitSeconds: number, private readonly now: () => number = Date.now) {}

  observe(host: string, response: RecordedResponse): void {
    if (response.status !== 429 && response.status !== 503) return;
    const raw = response.headers['retry-after'];
    if (raw === undefined) return;
    const dateHeader = response.headers['date'] ? Date.parse(response.headers['date']) : Number.NaN;
    const seconds = retryAfterSeconds(parseRetryAfter(raw), Number.isNaN(dateHeader) ? this.now() : dateHeader);
    if (seconds === undefined) return;
    const capped = Math.min(seconds, this.maxWaitSeconds);
    const until = this.now() + capped * 1000;
    // Concurrent probes may see several 429s: the latest deadline wins.
    if (until > (this.notBefore.get(host) ?? 0)) this.notBefore.set(host, until);
    this.waits.push({ host, retryAfter: raw, askedSeconds: seconds, cappedSeconds: capped });
  }

  /** Resolve once a request to `host` is allowed; every concurrent caller waits, and a 429 seen meanwhile extends the wait. */
  async wait(host: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const until = this.notBefore.get(host);
      if (until === undefined) return;
      const ms = until - this.now();
      if (ms <= 0 || signal?.aborted) {
        if (ms <= 0 && this.notBefore.get(host) === until) this.notBefore.delete(host);
        return;
      }
      this.waitedMs += ms;
      await sleep(ms, undefined, { signal }).catch(() => undefined);
    }
  }
}
