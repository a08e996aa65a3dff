import type { HarRunHead } from '../engine/check-har';
import { evaluate } from '../engine/evaluate';
import { curlFor } from '../engine/repro';
import { count, emptySummary } from '../engine/summary';
import { UNREACHABLE_CODES } from '../probes/http';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Exchange, RecordedRequest } from '../types';
import { Redactor } from '../util/redact';
import type { DecodedBody } from './body-copy';

/** One request as the client sent it to the proxy, before redaction. */
export interface SeenRequest {
  /** The n-th request through the proxy (1-based): the exchange is `proxy-<n>`. */
  seq: number;
  method: string;
  /** The target URL the request was forwarded to. */
  url: string;
  headers: Record<string, string>;
  /** The request body as text, capped; undefined when there was none. */
  body?: string;
}

export interface SeenResponse {
  status: number;
  headers: Record<string, string>;
  body: DecodedBody;
}

/**
 * A proxy run as the reports need it besides its exchanges, which went to `onExchange` as they were
 * checked: the same head `errspec check` streams its reports with (totals counted as `runSummary` counts).
 */
export type ProxyRunHead = HarRunHead;

/** Most notes kept about bodies that could not be decoded: a long session must not grow its notes without end. */
const MAX_DECODE_NOTES = 20;
/** Most other notes kept (the proxy itself adds one, on stop). */
const MAX_NOTES = 20;
/** Redactors kept for the credentials clients keep sending (one token per client, usually); emptied when full. */
const MAX_REDACTORS = 64;

export interface RecorderOptions {
  strict?: boolean;
  /** Base redactor; each exchange also redacts the credentials its own request carried. */
  redactor?: Redactor;
  /** Each exchange as it is checked: the recorder keeps none of them, only the run's totals. */
  onExchange?: (exchange: EvaluatedExchange) => void;
}

/**
 * Turns what passed through the proxy into checked exchanges, exactly as `errspec check` turns HAR
 * entries into them (same redaction, same evaluate, same reproduction), so verdicts agree. It keeps
 * counts, never exchanges: a proxy that runs all day holds as much as one that ran a minute.
 */
export class ProxyRecorder {
  private readonly summary = emptySummary();
  private failed = false;
  /** Exchanges whose target could not be reached, and the first one's message. */
  private unreachable = 0;
  private firstUnreachable: string | undefined;
  private readonly notes: string[] = [];
  private decodeProblems = 0;
  private readonly redactors = new Map<string, Redactor>();
  private readonly base: Redactor;
  private readonly started = Date.now();

  constructor(
    private readonly profile: Profile,
    private readonly target: string,
    private readonly options: RecorderOptions = {},
  ) {
    this.base = options.redactor ?? new Redactor();
  }

  /** Check one non-2xx response; returns the evaluated exchange (also handed to `onExchange`). */
  response(request: SeenRequest, response: SeenResponse, durationMs: number): EvaluatedExchange {
    const redactor = this.redactorFor(request);
    const exchange: Exchange = {
      id: `proxy-${request.seq}`,
      entry: null,
      request: this.recorded(request, redactor),
      response: {
        status: response.status,
        headers: redactor.headerMap(response.headers),
        body: redactor.text(response.body.text, { cut: response.body.truncated }),
        ...(response.body.truncated ? { truncated: true } : {}),
      },
      durationMs,
    };
    if (response.body.problem) this.decodeNote(`${exchange.id}: ${response.body.problem}`);
    return this.record(this.evaluated(exchange));
  }

  /** A request the target never answered in full: errored checks, never a conformance verdict. */
  failure(request: SeenRequest, transportError: { code: string; message: string }, durationMs: number): EvaluatedExchange {
    const redactor = this.redactorFor(request);
    const exchange: Exchange = { id: `proxy-${request.seq}`, entry: null, request: this.recorded(request, redactor), transportError, durationMs };
    if (UNREACHABLE_CODES.has(transportError.code)) {
      this.unreachable++;
      this.firstUnreachable ??= transportError.message;
    }
    return this.record(this.evaluated(exchange));
  }

  note(text: string): void {
    if (this.notes.length < MAX_NOTES) this.notes.push(text);
  }

  /** The run so far: its totals and notes (its exchanges went to `onExchange`). */
  head(): ProxyRunHead {
    const summary = { ...this.summary };
    const head: ProxyRunHead = {
      vendor: this.profile.id,
      title: this.profile.title,
      target: this.target,
      targetKind: 'proxy-upstream',
      source: 'proxy',
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      strict: Boolean(this.options.strict),
      summary,
      failed: this.failed,
      notes: [...this.notes],
    };
    // As runSummary: a target never reached is one more check, errored (JUnit's `target > reachable`).
    if (summary.exchanges > 0 && this.unreachable === summary.exchanges) {
      head.unreachable = `${this.target} could not be reached: ${this.firstUnreachable}`;
      summary.checks++;
      summary.errors++;
    }
    return head;
  }

  /** What the recorder holds besides its totals, for tests that prove it does not grow with the exchanges. */
  retained(): number {
    return this.notes.length + this.redactors.size;
  }

  /** evaluate() with the reproduction evaluate would attach, built only when a finding carries it (most error responses pass). */
  private evaluated(exchange: Exchange): EvaluatedExchange {
    const evaluated = evaluate(this.profile, exchange, { strict: this.options.strict });
    let repro: string | undefined;
    for (const finding of evaluated.findings) {
      if (finding.outcome !== 'fail' && finding.outcome !== 'error' && finding.outcome !== 'warn') continue;
      repro ??= curlFor(exchange.request);
      finding.repro = repro;
    }
    return evaluated;
  }

  private record(exchange: EvaluatedExchange): EvaluatedExchange {
    count(this.summary, exchange);
    if (!exchange.ok) this.failed = true;
    this.options.onExchange?.(exchange);
    return exchange;
  }

  private decodeNote(text: string): void {
    this.decodeProblems++;
    if (this.decodeProblems <= MAX_DECODE_NOTES) this.notes.push(text);
    else if (this.decodeProblems === MAX_DECODE_NOTES + 1) this.notes.push('more bodies could not be decoded; notes about them stop here');
  }

  /**
   * The credentials this request carried (headers, query, body, by the redactor's one list) are secrets
   * wherever they appear in its exchange. A client sends the same ones again and again: their redactor is built once.
   */
  private redactorFor(request: SeenRequest): Redactor {
    const found = this.base.credentialsIn(request.headers, { url: request.url, body: request.body });
    if (found.length === 0) return this.base;
    const key = found.join('\u0000');
    let redactor = this.redactors.get(key);
    if (!redactor) {
      if (this.redactors.size >= MAX_REDACTORS) this.redactors.clear();
      redactor = this.base.learnFrom(request.headers, { url: request.url, body: request.body });
      this.redactors.set(key, redactor);
    }
    return redactor;
  }

  private recorded(request: SeenRequest, redactor: Redactor): RecordedRequest {
    return {
      method: request.method,
      url: redactor.text(request.url),
      headers: redactor.headerMap(request.headers),
      ...(request.body !== undefined ? { body: redactor.text(request.body) } : {}),
    };
  }
}
