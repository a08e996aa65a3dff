import { evaluate } from '../engine/evaluate';
import { curlFor } from '../engine/repro';
import { UNREACHABLE_CODES } from '../probes/http';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Exchange, RecordedRequest, VendorRun } from '../types';
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

/** Most notes kept about bodies that could not be decoded: a long session must not grow its notes without end. */
const MAX_DECODE_NOTES = 20;

/**
 * Turns what passed through the proxy into checked exchanges, exactly as `errspec check` turns HAR
 * entries into them (same redaction, same evaluate, same reproduction), so verdicts agree.
 */
export class ProxyRecorder {
  private readonly exchanges: EvaluatedExchange[] = [];
  private readonly notes: string[] = [];
  private decodeProblems = 0;
  private readonly started = Date.now();

  constructor(
    private readonly profile: Profile,
    private readonly target: string,
    private readonly options: { strict?: boolean; redactor?: Redactor } = {},
  ) {}

  /** Check one non-2xx response; returns the evaluated exchange. */
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
    return this.keep(evaluate(this.profile, exchange, { strict: this.options.strict, repro: curlFor(exchange.request) }));
  }

  /** A request the target never answered in full: errored checks, never a conformance verdict. */
  failure(request: SeenRequest, transportError: { code: string; message: string }, durationMs: number): EvaluatedExchange {
    const redactor = this.redactorFor(request);
    const exchange: Exchange = { id: `proxy-${request.seq}`, entry: null, request: this.recorded(request, redactor), transportError, durationMs };
    return this.keep(evaluate(this.profile, exchange, { strict: this.options.strict, repro: curlFor(exchange.request) }));
  }

  note(text: string): void {
    this.notes.push(text);
  }

  /** Everything recorded so far, in request order. */
  run(): VendorRun {
    const exchanges = [...this.exchanges].sort((a, b) => seqOf(a) - seqOf(b));
    const run: VendorRun = {
      vendor: this.profile.id,
      title: this.profile.title,
      target: this.target,
      targetKind: 'proxy-upstream',
      source: 'proxy',
      startedAt: new Date(this.started).toISOString(),
      durationMs: Date.now() - this.started,
      strict: Boolean(this.options.strict),
      exchanges,
      notes: [...this.notes],
    };
    if (exchanges.length > 0 && exchanges.every((e) => e.transportError && UNREACHABLE_CODES.has(e.transportError.code))) {
      run.unreachable = `${this.target} could not be reached: ${exchanges[0].transportError!.message}`;
    }
    return run;
  }

  private keep(exchange: EvaluatedExchange): EvaluatedExchange {
    this.exchanges.push(exchange);
    return exchange;
  }

  private decodeNote(text: string): void {
    this.decodeProblems++;
    if (this.decodeProblems <= MAX_DECODE_NOTES) this.notes.push(text);
    else if (this.decodeProblems === MAX_DECODE_NOTES + 1) this.notes.push('more bodies could not be decoded; notes about them stop here');
  }

  /** The credentials this request carried (headers, query, body, by the redactor's one list) are secrets wherever they appear in its exchange. */
  private redactorFor(request: SeenRequest): Redactor {
    return (this.options.redactor ?? new Redactor()).learnFrom(request.headers, { url: request.url, body: request.body });
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

const seqOf = (exchange: EvaluatedExchange): number => Number(exchange.id.slice('proxy-'.length));
