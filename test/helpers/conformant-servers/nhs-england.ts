import { randomUUID } from 'node:crypto';
import { bearerOf, FixedWindow, httpDate, parses, serve, type Answer, type ConformantServer, type Deviation, type Handled, type Incoming } from './serve';

/**
 * A hand-written NHS England FHIR API, conformant to seeds/002_0dc55e08bff69f60.txt ("Troubleshooting 4xx status
 * codes"), written without errspec's profile or mock. Every choice quotes the seed. Where the seed is silent
 * (the OperationOutcome shape and the Spine code system), it follows NHS England's published conventions.
 */

/** The one access token this server accepts. */
export const TOKEN = 'nhs-conformant-access-token-61b0';

const LIMIT = 8;
const WINDOW_SECONDS = 30;

const PATIENTS = new Set(['9000000009']);
const TASKS = new Set(['errspec-duplicate-task']);

/** The NHS England R4 Spine code system; the older un-versioned URL is used for the 429 below. */
const SPINE_R4 = 'https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode';
const SPINE = 'https://fhir.nhs.uk/CodeSystem/Spine-ErrorOrWarningCode';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export async function start(deviate?: Deviation): Promise<ConformantServer> {
  const window = new FixedWindow(LIMIT, WINDOW_SECONDS);
  return serve((req) => handle(req, window), deviate);
}

interface Issue {
  /** FHIR IssueType. */
  code: string;
  spine: string;
  display: string;
  diagnostics?: string;
  expression?: string[];
  system?: string;
}

/**
 * An OperationOutcome with one error issue whose details carry the Spine code. RFC 8259 §1: "An object is an
 * unordered collection of zero or more name/value pairs": this server writes an id and meta first, and each
 * issue as code, severity, diagnostics, details (the reference mock: resourceType, issue; severity, code, details,
 * diagnostics). The media type carries FHIR's fhirVersion parameter and a charset.
 */
function outcome(status: number, issue: Issue, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/fhir+json; fhirVersion=4.0; charset=utf-8', 'x-correlation-id': randomUUID(), ...headers },
    body: {
      id: randomUUID(),
      meta: { lastUpdated: new Date().toISOString() },
      resourceType: 'OperationOutcome',
      issue: [
        {
          code: issue.code,
          severity: 'error',
          ...(issue.diagnostics ? { diagnostics: issue.diagnostics } : {}),
          ...(issue.expression ? { expression: issue.expression } : {}),
          details: { coding: [{ display: issue.display, code: issue.spine, version: '1', system: issue.system ?? SPINE_R4 }] },
        },
      ],
    },
  };
}

function handle(req: Incoming, window: FixedWindow): Handled {
  const path = req.url.pathname;
  const token = bearerOf(req.headers);
  if (token === undefined) {
    // "400: MISSING_VALUE Cause A required parameter (for example, the access token) is missing entirely." The seed
    // documents two answers to a request without its access token: this one and "401: UNAUTHORISED Cause
    // Authorisation credentials are missing or not valid in request." This server answers 400 MISSING_VALUE
    // (the reference mock answers 401 UNAUTHORISED). FHIR IssueType "required": "A required element is missing."
    return {
      situation: 'no-token',
      answer: outcome(400, {
        code: 'required', spine: 'MISSING_VALUE', display: 'Required value is missing', diagnostics: "Missing value - header 'Authorization'",
      }),
    };
  }
  if (token !== TOKEN) {
    // "401: UNAUTHORISED Cause Authorisation credentials are missing or not valid in request." (the reference mock
    // answers 401 ACCESS_DENIED, the seed's other 401 code). FHIR IssueType "unknown": "The user or system was not
    // able to be authenticated (either there is no process, or the proferred token is unacceptable)."
    // RFC 9110 §15.5.2: "The server generating a 401 response MUST send a WWW-Authenticate header field (Section
    // 11.6.1) containing at least one challenge applicable to the target resource."
    return {
      situation: 'bad-token',
      answer: outcome(401, {
        code: 'unknown', spine: 'UNAUTHORISED', display: 'Authorisation credentials are missing or not valid in request',
        diagnostics: 'Invalid access token',
      }, { 'www-authenticate': 'Bearer error="invalid_token"' }),
    };
  }
  const requestId = req.headers['x-request-id'];
  if (typeof requestId === 'string' && !UUID.test(requestId)) {
    // "400: INVALID_VALUE Cause A required parameter is invalid ... Ensure the header parameter is valid and conforms
    // to your API's endpoint specification." FHIR IssueType "value": "An element or header value is invalid."
    return {
      situation: 'bad-request-id',
      answer: outcome(400, {
        code: 'value', spine: 'INVALID_VALUE', display: 'Provided value is invalid', diagnostics: `Invalid value - '${requestId}' in header 'X-Request-ID': expected a UUID`,
      }),
    };
  }
  if (window.over()) {
    // "429: TOO_MANY_REQUESTS Cause Your application has exceeded the allotted rate limit." The seed promises no
    // Retry-After ("Implement backoff or retry logic, spacing out requests to stay within the limit."); RFC 6585 §4:
    // "The response representations SHOULD include details explaining the condition, and MAY include a Retry-After
    // header indicating how long to wait before making a new request." RFC 9110 §10.2.3 "Retry-After = HTTP-date /
    // delay-seconds": this server sends an HTTP-date. The code sits under the un-versioned Spine system, which
    // NHS England also publishes (https://fhir.nhs.uk/CodeSystem/Spine-ErrorOrWarningCode).
    const retryAt = Math.ceil(window.resetAt() / 1000) * 1000;
    return {
      situation: 'rate-limited',
      answer: outcome(429, {
        code: 'throttled', spine: 'TOO_MANY_REQUESTS', display: 'Too many requests', system: SPINE,
        diagnostics: 'Your application has exceeded the allotted rate limit',
      }, { 'retry-after': httpDate(retryAt) }),
    };
  }
  if (req.method === 'GET' && path === '/Patient') {
    if ([...req.url.searchParams.keys()].length === 0) {
      // The seed documents two 400 codes for a request whose parameters do not conform: "400: MISSING_VALUE" and
      // "400: INVALID_VALUE Cause A required parameter is invalid ... Confirm the request syntax (URL, body payload,
      // etc.) and verify there are no typos or formatting issues." This server answers INVALID_VALUE for a search
      // URL without any search parameter (the reference mock answers MISSING_VALUE).
      return {
        situation: 'search-without-parameters',
        answer: outcome(400, { code: 'invalid', spine: 'INVALID_VALUE', display: 'Provided value is invalid', diagnostics: 'Invalid search: at least one search parameter is required' }),
      };
    }
    return { situation: 'search', answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'Bundle', type: 'searchset', total: 0 } } };
  }
  const patient = /^\/Patient\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && patient) {
    const id = decodeURIComponent(patient[1]);
    if (PATIENTS.has(id)) {
      return { situation: 'patient', answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'Patient', id } } };
    }
    // "404: RESOURCE_NOT_FOUND Cause The requested resource does not exist or cannot be found."
    return {
      situation: 'patient-not-found',
      answer: outcome(404, { code: 'not-found', spine: 'RESOURCE_NOT_FOUND', display: 'Resource not found', diagnostics: `Patient ${id} does not exist` }),
    };
  }
  if (req.method === 'POST' && path === '/Task') {
    const parsed = parses(req.body);
    if (!parsed.ok) {
      // "400: INVALID_VALUE ... Confirm the request syntax (URL, body payload, etc.) and verify there are no typos or
      // formatting issues." FHIR IssueType "structure": "A structural issue in the content such as wrong namespace,
      // unable to parse the content completely, invalid syntax, etc." (the reference mock: "invalid").
      return {
        situation: 'malformed-json',
        answer: outcome(400, { code: 'structure', spine: 'INVALID_VALUE', display: 'Provided value is invalid', diagnostics: 'The request body is not valid JSON' }),
      };
    }
    const id = (parsed.value as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && TASKS.has(id)) {
      // "409: REC_CONFLICT Cause There is a conflict with the current state of the resource, such as a task ID or
      // prescription ID that already exists." FHIR IssueType "duplicate": "An attempt was made to create a duplicate record."
      return {
        situation: 'duplicate-task',
        answer: outcome(409, { code: 'duplicate', spine: 'REC_CONFLICT', display: 'Record conflict', expression: ['Task.id'] }),
      };
    }
    return { situation: 'task-created', answer: { status: 201, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'Task', id: randomUUID() } } };
  }
  // "404: RESOURCE_NOT_FOUND Cause The requested resource does not exist or cannot be found."
  return { situation: 'no-route', answer: outcome(404, { code: 'not-found', spine: 'RESOURCE_NOT_FOUND', display: 'Resource not found' }) };
}
