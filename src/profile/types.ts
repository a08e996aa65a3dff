import type { ProbeBasis } from '../types';

/** The YAML shape of a vendor profile (contracts/vendors/<id>.yaml); validated by schemas/profile.schema.json. */
export interface RuleDef {
  source: string;
  /** errspec's reading of the source. */
  text: string;
  /** The source's sentences or table rows, verbatim (a test finds each in the seed); absent where `text` is one. */
  quote?: string[];
  /** The rule rests on an example of the source rather than on a statement. */
  example?: boolean;
}

/** Where a row, header rule or rule says which words of its source it rests on. */
export type Quoted = Pick<RuleDef, 'quote' | 'example'>;

export type CodeLocator =
  | { pointer: string }
  /** FHIR OperationOutcome: the code of the first issue of severity error or fatal. */
  | { extractor: 'issue-code' }
  /** NHS: the code of the first issue.details.coding[] whose system is one of `systems`. */
  | { extractor: 'coding'; systems: string[]; deprecatedSystems?: string[]; rule: string };

export interface EnvelopeDef {
  /** File name (without .schema.json) under schemas/. */
  schema: string;
  mediaTypes: string[];
  /** Media types accepted with a warning (FHIR: application/json). */
  toleratedMediaTypes?: string[];
  /** Rule that promises a JSON body with that media type. */
  mediaTypeRule: string;
  code: CodeLocator;
  type?: { pointer: string };
  /** Pointer to a documentation link "for the specific code", with the rule that promises it. */
  docUrl?: { pointer: string; rule: string };
  /** Pointer to a body field that must equal the HTTP status. */
  statusField?: { pointer: string; rule: string; optional?: boolean };
}

export interface CodeDef extends Quoted {
  /** HTTP statuses the vendor documents this code at; empty when the seed pairs none. */
  status: number[];
  type?: string;
  /** The seed's row for this code, quoted. */
  text: string;
  /** Where the code is documented when it is not the vendor's seed (fhir-r4: FHIR R4 valueset-issue-type.html). */
  source?: string;
  /** JSON pointers that must be present when this code is returned. */
  requires?: { pointer: string; rule: string }[];
}

export interface HeaderRuleDef extends Quoted {
  id: string;
  on: number[];
  name: string;
  /** false: the vendor never promised the header, so its absence is a warning. */
  required: boolean;
  format?: 'retry-after' | 'integer' | 'epoch-seconds';
  /** Exact value the header must have on these statuses (healthcloud: X-RateLimit-Remaining 0 on 429). */
  equals?: string;
  source: string;
  text: string;
}

export interface ProbeDef {
  id: string;
  /** Set by a config's `probes.<id>.skip: true`: the probe is not sent, and every report lists it as skipped by config. */
  skippedByConfig?: boolean;
  title: string;
  method: string;
  /** Path with `{name}` placeholders filled from `ids`. */
  path: string;
  headers?: Record<string, string>;
  /** Raw request body (sent as-is, so malformed JSON stays malformed). */
  body?: string;
  /** none: no credential; invalid: a credential the server must refuse; valid: the user's credential. */
  auth: 'none' | 'invalid' | 'valid';
  expect: { status: number[]; codes?: string[] };
  /**
   * documented: a quoted seed or standard sentence promises this status (and codes) for this situation, so a
   * mismatch fails. heuristic: errspec's guess at how to provoke the error, so another error is a warning.
   */
  basis: ProbeBasis;
  /** Creates data on the target: only with --allow-writes. */
  writes?: boolean;
  /** A rate-limit burst: sent only with --rate-limit-probe. */
  burst?: boolean;
  /** The rule that says the vendor answers this situation with this status. */
  rule: string;
  /** What the reference mock answers to this probe. */
  mock: MockResponseDef;
  /** Provider state for the Pact interaction. */
  state?: string;
}

export interface MockResponseDef {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface AuthDef {
  /** How the credential travels: a bearer token, or an API key in a named header. */
  scheme: 'bearer' | 'api-key';
  header?: string;
  /**
   * Codes that mean "your token has expired" (opescare: token_expired). A probe answered with one,
   * sent with an OAuth token, gets a fresh token once and is retried once.
   */
  expiredCodes?: string[];
  /** The vendor's OAuth2 client-credentials token endpoint, as the reference mock serves it. */
  tokenEndpoint?: TokenEndpointDef;
}

export interface TokenEndpointDef {
  /** Path of the token endpoint on the reference mock (POST, form-encoded). */
  path: string;
  /** Lifetime of the tokens the reference mock issues, in seconds (opescare: 1-hour TTL). */
  ttlSeconds: number;
  /** Codes the token endpoint refuses a client with (opescare: invalid_client); the refusal is checked like any error. */
  refusedCodes: string[];
  /** What the reference mock answers: a refused client, an expired token it issued, a request that is not client_credentials. */
  mock: { refused: MockResponseDef; expired: MockResponseDef; invalidRequest?: MockResponseDef };
}

export interface ProfileDoc {
  id: string;
  /** A user profile built on another vendor's (a built-in id or another user profile's): it inherits everything, then adds or overrides. */
  extends?: string;
  title: string;
  /** The document the profile encodes: a built-in vendor's seed file, or a user profile's document title or URL. */
  seed: string;
  /** The vendor document the seed is: what reports cite (`seed NNN` never reaches a report). */
  document?: { title: string; url?: string };
  auth: AuthDef;
  envelope: EnvelopeDef;
  /** Documented error statuses with the seed's meaning. */
  statuses: Record<string, string>;
  statusRule: string;
  /** What an unknown code is at a status the vendor documents codes for. */
  unknownCode: { outcome: 'fail' | 'warn'; rule: string };
  codes: Record<string, CodeDef>;
  headers?: HeaderRuleDef[];
  rules: Record<string, RuleDef>;
  ids: Record<string, string>;
  probes: ProbeDef[];
  /** The vendor's documented 5xx, answered by the reference mock on a server-error fault (when `mock.serverErrors` names no code). */
  serverError?: MockResponseDef;
  mock?: MockDef;
  /** Client behaviours the vendor document states, graded by `errspec mock --grade`. */
  grading?: GradingDef[];
}

/** How the reference mock answers `Prefer: errspec-error=<code>` and its faults (src/mock/responses.ts). */
export interface MockDef {
  /** Body of a code no probe answers: strings `{code}`, `{message}`, `{type}`, `{status}` and the code's `fields` are filled in. */
  errorBody?: unknown;
  /** Status per code whose row pairs none (or several). */
  statuses?: Record<string, number>;
  /** Status per error type (medblocks). */
  typeStatuses?: Record<string, number>;
  /** More placeholders per code (nhs-england: the IssueType of each Spine code). */
  fields?: Record<string, Record<string, string>>;
  /** Headers per status of the answers built from `errorBody`. */
  headers?: Record<string, Record<string, string>>;
  /** Codes the 5xx fault answers with, in turn. */
  serverErrors?: string[];
  /** Serve FHIR resources in memory: public /metadata, create, read, versioned update. */
  fhirStore?: { resources: string[]; seed?: Record<string, number> };
}

export type GradedBehaviour = 'wait-retry-after' | 'reauth-once' | 'no-retry-4xx' | 'backoff-5xx' | 'bounded-retries';

export interface GradingDef {
  behaviour: GradedBehaviour;
  /** The rule that quotes the sentence stating the behaviour. */
  rule: string;
  /** bounded-retries: most retries of one request. */
  maxRetries?: number;
}
