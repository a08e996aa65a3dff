import { randomUUID } from 'node:crypto';
import { bearerOf, FixedWindow, httpDate, parses, serve, type Answer, type ConformantServer, type Deviation, type Handled, type Incoming } from './serve';

/**
 * A hand-written Medblocks Platform API server, conformant to seeds/001_46e8e1ee834b653b.txt ("API Errors"),
 * written without errspec's profile or mock. Every choice quotes the seed.
 */

/** The one API key this server issued. */
export const API_KEY = 'mb_live_conformant_2f9c1a7e';

const LIMIT = 8;
const WINDOW_SECONDS = 30;

/** "409Resource conflict, such as a duplicate identifier.": this organization already holds this external id. */
const EXTERNAL_IDS = new Set(['errspec-duplicate-0001']);

export async function start(deviate?: Deviation): Promise<ConformantServer> {
  const window = new FixedWindow(LIMIT, WINDOW_SECONDS);
  return serve((req) => handle(req, window), deviate);
}

/**
 * "Every non-2xx Platform API response returns the same envelope shape." with the fields
 * error.type, error.code, error.message, error.param, error.doc_url and error.request_id.
 * RFC 8259 §1: "An object is an unordered collection of zero or more name/value pairs": this server writes
 * request_id, code, type, param, message, doc_url (the seed's example and the reference mock: type, code,
 * message, param, doc_url, request_id).
 */
function failure(status: number, type: string, code: string, message: string, param: string | null, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: {
      error: {
        // "error.request_idstringCorrelation ID. Include it in support tickets.": a fresh UUID per response.
        request_id: randomUUID(),
        // "error.codestringStable machine-readable code. Use this for branching."
        code,
        // "error.typestringBroad category such as authentication_error, invalid_request_error, or ehr_error."
        type,
        // "error.paramstring or nullRequest field or parameter related to the error, when available."
        param,
        // "error.messagestringHuman-readable explanation for developers and logs."
        message,
        // "error.doc_urlstringDocumentation URL for the specific code.": a URL naming the code, in this server's own
        // docs layout (the seed's example is https://docs.medblocks.com/errors/invalid_api_key).
        doc_url: `https://docs.medblocks.com/platform-api/errors#${code}`,
      },
    },
  };
}

function handle(req: Incoming, window: FixedWindow): Handled {
  const path = req.url.pathname;
  const key = bearerOf(req.headers);
  if (key === undefined) {
    // "401Missing, invalid, or expired API key." The seed lists two codes for an unauthenticated request:
    // "authentication_errormissing_api_keyAuthorization header is missing." and
    // "authentication_errornot_authenticatedThe request is not authenticated." This server answers the second
    // (the reference mock answers missing_api_key). RFC 9110 §15.5.2: "The server generating a 401 response MUST send a WWW-Authenticate header
    // field (Section 11.6.1) containing at least one challenge applicable to the target resource."
    return {
      situation: 'no-key',
      answer: failure(401, 'authentication_error', 'not_authenticated', 'The request is not authenticated.', null, { 'www-authenticate': 'Bearer realm="medblocks"' }),
    };
  }
  if (key !== API_KEY) {
    // "authentication_errorinvalid_api_keyAPI key is invalid." param names the header that carried it:
    // "Request field or parameter related to the error, when available." (the reference mock sends null).
    return {
      situation: 'bad-key',
      answer: failure(401, 'authentication_error', 'invalid_api_key', 'API key is invalid.', 'Authorization', {
        'www-authenticate': 'Bearer realm="medblocks", error="invalid_token"',
      }),
    };
  }
  if (window.over()) {
    // "429Rate limit or quota exceeded." with "rate_limit_errorquota_exceededAPI key quota is exceeded." (the
    // reference mock answers throttled). The seed documents no Retry-After; RFC 6585 §4 allows it: "The response
    // representations SHOULD include details explaining the condition, and MAY include a Retry-After header
    // indicating how long to wait before making a new request." RFC 9110 §10.2.3 "Retry-After = HTTP-date /
    // delay-seconds": this server sends the HTTP-date at which the key's window ends.
    const retryAt = Math.ceil(window.resetAt() / 1000) * 1000;
    return {
      situation: 'over-quota',
      answer: failure(429, 'rate_limit_error', 'quota_exceeded', 'API key quota is exceeded for this window.', null, { 'retry-after': httpDate(retryAt) }),
    };
  }
  const patient = /^\/patients\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && patient) {
    // "404Resource was not found in your organization." with
    // "not_found_errorresource_not_foundPatient, Session, or source was not found."
    return {
      situation: 'patient-not-found',
      answer: failure(404, 'not_found_error', 'resource_not_found', `No patient ${decodeURIComponent(patient[1])} in your organization.`, 'patient_id'),
    };
  }
  if (req.method === 'POST' && (path === '/sessions' || path === '/patients')) {
    const parsed = parses(req.body);
    if (!parsed.ok) {
      // "400Validation error, malformed request, or unsupported API version." with
      // "invalid_request_errorbad_requestRequest is malformed or missing required fields."
      return { situation: 'malformed-json', answer: failure(400, 'invalid_request_error', 'bad_request', 'The request body could not be parsed as JSON.', null) };
    }
    const fields = (parsed.value ?? {}) as Record<string, unknown>;
    if (path === '/patients') {
      if (typeof fields.external_id === 'string' && EXTERNAL_IDS.has(fields.external_id)) {
        // "409Resource conflict, such as a duplicate identifier." The seed lists
        // "conflict_errorexternal_id_already_existsExternal identifier already exists in the organization." and
        // "conflict_errorresource_conflictRequest conflicts with existing data.": this server answers the
        // latter (the reference mock the former).
        return {
          situation: 'duplicate-external-id',
          answer: failure(409, 'conflict_error', 'resource_conflict', 'A patient with this external_id already exists.', 'external_id'),
        };
      }
      return { situation: 'patient-created', answer: { status: 201, headers: { 'content-type': 'application/json' }, body: { id: randomUUID() } } };
    }
    if (typeof fields.patient_id !== 'string') {
      // "400Validation error, ..." with "invalid_request_errorinvalid_dataRequest data failed validation." (the
      // reference mock answers bad_request for the same request).
      return { situation: 'session-invalid', answer: failure(400, 'invalid_request_error', 'invalid_data', 'patient_id is required.', 'patient_id') };
    }
    return { situation: 'session-created', answer: { status: 201, headers: { 'content-type': 'application/json' }, body: { id: randomUUID() } } };
  }
  // "404Resource was not found in your organization."
  return { situation: 'no-route', answer: failure(404, 'not_found_error', 'resource_not_found', `Nothing at ${path}.`, null) };
}
