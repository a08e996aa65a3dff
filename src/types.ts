/** The outcome of one check on one exchange. `error` is a transport failure, never a conformance verdict. */
export type Outcome = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

/** Where a rule comes from and the sentence it enforces (Inferno-style traceability). */
export interface RuleRef {
  /** Stable id, e.g. `opescare.code.token_expired` or `rfc9110.retry-after-syntax`. Never renamed. */
  id: string;
  /** `seed 000`, `FHIR R4 operationoutcome.html`, `RFC 9110 §10.2.3`, ... */
  source: string;
  /** errspec's reading of the source: what the check holds a response to. */
  text: string;
  /** The source's own sentences or table rows, verbatim, where `text` is not itself a quotation. */
  quote?: string[];
  /** True when the rule rests on an example of the source rather than on a statement. */
  example?: boolean;
}

/** One check's result on one exchange. Results are data, never exceptions. */
export interface Finding {
  check: string;
  outcome: Outcome;
  message: string;
  rule?: RuleRef;
  expected?: unknown;
  actual?: unknown;
  /** A curl command that reproduces the request; credentials are environment-variable references. */
  repro?: string;
}

export type ProbeBasis = 'documented' | 'heuristic';

export type HeaderMap = Record<string, string>;

export interface RecordedRequest {
  method: string;
  url: string;
  /** Lower-cased names, secrets already redacted. */
  headers: HeaderMap;
  body?: string;
}

export interface RecordedResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". Secrets already redacted. */
  headers: HeaderMap;
  /** The body as text (UTF-8, invalid bytes replaced), capped. */
  body: string;
  /** True when the body was cut at the size cap. */
  truncated?: boolean;
}

/** A request and its response as sent and received. `response` is absent when the transport failed. */
export interface Exchange {
  /** Probe id, `entry-<n>` for HAR entries, or a proxy sequence id. */
  id: string;
  /** HAR entry index for `check`, else null. */
  entry: number | null;
  request: RecordedRequest;
  response?: RecordedResponse;
  /** Transport failure (refused, reset, timeout, body cap...), when there is no usable response. */
  transportError?: { code: string; message: string };
  /** Statuses the probe was built to provoke, when the exchange comes from a probe. */
  expectedStatuses?: number[];
  /** Codes the probe was built to provoke, when documented. */
  expectedCodes?: string[];
  /**
   * Why the probe expects what it expects: `documented` (a quoted sentence promises this answer; a
   * mismatch fails) or `heuristic` (errspec's way to provoke an error; another error is a warning).
   */
  basis?: ProbeBasis;
  durationMs?: number;
}

export interface EvaluatedExchange extends Exchange {
  ok: boolean;
  findings: Finding[];
}

/** Where the exchanges come from; `mock` is `errspec mock --grade`: a client's requests, graded. */
export type Source = 'probe' | 'har' | 'proxy' | 'pact' | 'mock';

export interface Summary {
  exchanges: number;
  checks: number;
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  errors: number;
}

/** The result of checking one vendor: what every reporter renders. */
export interface VendorRun {
  vendor: string;
  title?: string;
  target: string;
  source: Source;
  startedAt: string;
  durationMs: number;
  strict: boolean;
  exchanges: EvaluatedExchange[];
  /** Set when the target could not be reached at all. */
  unreachable?: string;
  /** Notes the reporters show, such as probes left out. */
  notes?: string[];
}
