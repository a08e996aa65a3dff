/** The outcome of one check on one exchange. `error` is a transport failure, never a conformance verdict. */
export type Outcome = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

/** Where a rule comes from and the sentence it enforces (Inferno-style traceability). */
export interface RuleRef {
  /** Stable id, e.g. `opescare.code.token_expired` or `rfc9110.retry-after-syntax`. Never renamed. */
  id: string;
  /** The document cited: a vendor document's title (`OpesCare Connect API "Errors & Troubleshooting"`), `FHIR R4 operationoutcome.html`, `RFC 9110 §10.2.3`, ... */
  source: string;
  /** The cited document's URL, where the profile knows one. */
  url?: string;
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
  /** What the body showed that drift compares (`src/drift/observe.ts`): its code and the set of its fields, never their values. */
  observed?: BodyObservation;
}

/** The error contract one body showed: values that change every request (ids, timestamps, messages) are not in it. */
export interface BodyObservation {
  /** The machine-readable code, where the envelope has one. */
  code?: string;
  /** JSON pointers of the body's members, sorted; an array item is a `*` segment (an issue's code is `/issue/*` then `/code`). */
  fields: string[];
}

/** Which of the vendor's documented codes a run's exchanges answered with (`src/drift/observe.ts`). */
export interface Coverage {
  /** Every code the profile documents, sorted. */
  documented: string[];
  /** Documented codes some exchange of this run carried. */
  observed: string[];
  /** Documented codes no exchange of this run carried. */
  never: string[];
  /** With `--baseline`: the same over this run and the runs the baseline recorded. */
  accumulated?: { observed: string[]; never: string[] };
}

export interface EvaluatedExchange extends Exchange {
  ok: boolean;
  findings: Finding[];
}

/** Where the exchanges come from; `mock` is `errspec mock --grade`: a client's requests, graded. */
export type Source = 'probe' | 'har' | 'proxy' | 'pact' | 'mock';

/**
 * What `target` is: errspec's embedded reference mock of the vendor (so the verdict says nothing about a
 * real server), the user's own base URL, a capture file (`check`), or the upstream of `errspec proxy`.
 */
export type TargetKind = 'embedded-mock' | 'base-url' | 'capture' | 'proxy-upstream';

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
  /** What the target is; absent in runs saved by errspec 0.1 (read them as `base-url`). */
  targetKind?: TargetKind;
  source: Source;
  startedAt: string;
  durationMs: number;
  strict: boolean;
  exchanges: EvaluatedExchange[];
  /** Set when the target could not be reached at all. */
  unreachable?: string;
  /** Notes the reporters show, such as probes left out. */
  notes?: string[];
  /** Documented codes observed and never observed: computed by the engine, rendered by every reporter. */
  coverage?: Coverage;
}
