import type { Profile } from '../profile/profile';

/** What the window says about one request: whether it is over the limit, and the headers that describe the window. */
export interface WindowState {
  limited: boolean;
  /** Requests left in this window after this one. */
  remaining: number;
  /** Epoch milliseconds the window resets at. */
  resetAt: number;
  /** Whole seconds until the reset, at least 1: the Retry-After of a 429. */
  secondsLeft: number;
}

/**
 * One fixed rate-limit window: `limit` requests per `windowSeconds`, starting at the first request. Every
 * header the mock sends about it (Retry-After, X-RateLimit-*, IETF RateLimit / RateLimit-Policy) is read
 * from this one state, so they agree: a client that waits Retry-After seconds lands in a fresh window.
 */
/** A request this close to the reset belongs to the next window: timers fire up to a millisecond early against Date.now. */
const GRACE_MS = 50;

export class RateWindow {
  private start = Number.NaN;
  private count = 0;

  constructor(
    readonly limit: number,
    readonly windowSeconds: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Count one request and say where it stands. */
  hit(): WindowState {
    const now = this.clock();
    const windowMs = this.windowSeconds * 1000;
    if (!(now < this.start + windowMs - GRACE_MS)) {
      this.start = now;
      this.count = 0;
    }
    this.count++;
    return this.stateAt(now);
  }

  /** The window as it stands, without counting a request (a `Prefer`-requested 429). */
  peek(): WindowState {
    const now = this.clock();
    if (!(now < this.start + this.windowSeconds * 1000 - GRACE_MS)) return { limited: false, remaining: this.limit, resetAt: now + this.windowSeconds * 1000, secondsLeft: this.windowSeconds };
    return this.stateAt(now);
  }

  private stateAt(now: number): WindowState {
    const resetAt = this.start + this.windowSeconds * 1000;
    return {
      limited: this.count > this.limit,
      remaining: Math.max(0, this.limit - this.count),
      resetAt,
      secondsLeft: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    };
  }
}

/** The de-facto X-RateLimit-* headers a profile documents, each with the format its header rule states. */
function documentedXHeaders(profile: Profile): { name: string; format?: string }[] {
  return (profile.doc.headers ?? []).filter((h) => /^x-ratelimit-/i.test(h.name)).map((h) => ({ name: h.name.toLowerCase(), format: h.format }));
}

/**
 * The headers that describe the window on any answer: the X-RateLimit-* the vendor documents (Reset in epoch
 * seconds where its rule says so, else seconds until the reset) and the IETF draft fields, which every vendor
 * may send (draft-ietf-httpapi-ratelimit-headers: r remaining, t seconds to reset; q quota, w window).
 * On a 429, also Retry-After: the seconds until the reset.
 */
export function windowHeaders(profile: Profile, window: RateWindow, state: WindowState, limited: boolean): Record<string, string> {
  const remaining = limited ? 0 : state.remaining;
  const headers: Record<string, string> = {};
  for (const { name, format } of documentedXHeaders(profile)) {
    if (name === 'x-ratelimit-limit') headers[name] = String(window.limit);
    else if (name === 'x-ratelimit-remaining') headers[name] = String(remaining);
    else if (name === 'x-ratelimit-reset') headers[name] = String(format === 'epoch-seconds' ? Math.ceil(state.resetAt / 1000) : state.secondsLeft);
  }
  headers['ratelimit'] = `"default";r=${remaining};t=${state.secondsLeft}`;
  headers['ratelimit-policy'] = `"default";q=${window.limit};w=${window.windowSeconds}`;
  if (limited) headers['retry-after'] = String(state.secondsLeft);
  return headers;
}
