import { randomBytes } from 'node:crypto';
import { bearerOf, FixedWindow, httpDate, parses, serve, type Answer, type ConformantServer, type Deviation, type Handled, type Incoming } from './serve';

/**
 * A hand-written HealthCloud API server, conformant to seeds/004_1bc4def832b488bb.txt ("Errors"), written without
 * errspec's profile or mock. Every choice quotes the seed.
 */

/** The one API key this server issued ("Missing, invalid, or expired API key or JWT token."). */
export const API_KEY = 'hc_sk_conformant_0c5e1f';

/** "Requests are rate-limited per API key." A test plan's limit: far below the standard plan's 1,000/minute. */
const LIMIT = 8;
const WINDOW_SECONDS = 30;

const WEBHOOK_URLS = new Map([['https://errspec.invalid/webhook', 'wh_7Qm2kd9Lx0']]);
const PATIENTS = new Set(['example']);

export async function start(deviate?: Deviation): Promise<ConformantServer> {
  const window = new FixedWindow(LIMIT, WINDOW_SECONDS);
  return serve((req) => handle(req, window), deviate);
}

/** "requestId — Unique ID for this request. Include it when contacting support." */
const requestId = (): string => `req_${randomBytes(10).toString('hex')}`;

/**
 * "All error responses share a consistent JSON shape with a machine-readable code and a human-readable message."
 * RFC 8259 §1: "An object is an unordered collection of zero or more name/value pairs": this server writes
 * requestId, message, code, then the optional fields (the seed's example and the reference mock: code, message,
 * requestId, docsUrl, details). "docsUrl — Direct link to documentation for this specific error code." is left
 * out where `docs` is false, as the seed's own 429 example leaves it out.
 */
function failure(status: number, code: string, message: string, options: { docs?: boolean; details?: unknown; headers?: Record<string, string> } = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json', ...(options.headers ?? {}) },
    body: {
      error: {
        requestId: requestId(),
        message,
        code,
        ...(options.details !== undefined ? { details: options.details } : {}),
        ...(options.docs === false ? {} : { docsUrl: `https://healthcloud.ai/docs/api/errors#${code}` }),
      },
    },
  };
}

function handle(req: Incoming, window: FixedWindow): Handled {
  const path = req.url.pathname;
  const key = bearerOf(req.headers);
  if (key === undefined || key !== API_KEY) {
    // "| 401 | UNAUTHORIZED | Missing, invalid, or expired API key or JWT token. |". RFC 9110 §15.5.2: "The server
    // generating a 401 response MUST send a WWW-Authenticate header field (Section 11.6.1) containing at least one
    // challenge applicable to the target resource." A missing key is answered without docsUrl (optional: "docsUrl —
    // Direct link to documentation for this specific error code." is absent from the seed's 429 example).
    const missing = key === undefined;
    return {
      situation: missing ? 'no-key' : 'bad-key',
      answer: failure(401, 'UNAUTHORIZED', missing ? 'No API key or JWT token was sent.' : 'The API key or JWT token is invalid or expired.', {
        docs: !missing,
        headers: { 'www-authenticate': missing ? 'Bearer realm="healthcloud"' : 'Bearer realm="healthcloud", error="invalid_token"' },
      }),
    };
  }
  if (window.over()) {
    // "| 429 | RATE_LIMITED | Too many requests. See the Retry-After header for the backoff window. |" and "The
    // response includes headers showing your current limit window.", as in the seed's example "X-RateLimit-Limit:
    // 1000", "X-RateLimit-Remaining: 0", "X-RateLimit-Reset: 1742558400". RFC 9110 §10.2.3 "Retry-After =
    // HTTP-date / delay-seconds": this server sends the HTTP-date at which the window ends (the seed's example and
    // the reference mock send seconds), X-RateLimit-Reset the same instant in epoch seconds.
    const resetSeconds = Math.ceil(window.resetAt() / 1000);
    return {
      situation: 'rate-limited',
      answer: failure(429, 'RATE_LIMITED', `Rate limit exceeded. Retry after ${httpDate(resetSeconds * 1000)}.`, {
        headers: {
          'retry-after': httpDate(resetSeconds * 1000),
          'x-ratelimit-limit': String(LIMIT),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(resetSeconds),
        },
      }),
    };
  }
  const patient = /^\/v1\/fhir\/Patient\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && patient) {
    const id = decodeURIComponent(patient[1]);
    if (PATIENTS.has(id)) return { situation: 'patient', answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'Patient', id } } };
    // "| 404 | NOT_FOUND | The requested resource (patient, deployment, asset, etc.) does not exist. |" with the
    // seed's example details: "details": { "resourceType": "Patient", "resourceId": "bad_id" }.
    return {
      situation: 'patient-not-found',
      answer: failure(404, 'NOT_FOUND', `Patient with ID 'Patient/${id}' not found.`, { details: { resourceId: id, resourceType: 'Patient' } }),
    };
  }
  if (req.method === 'POST' && path === '/v1/webhooks') {
    const parsed = parses(req.body);
    // "| 400 | BAD_REQUEST | The request body or query parameters are malformed or missing required fields. |"
    if (!parsed.ok) return { situation: 'malformed-json', answer: failure(400, 'BAD_REQUEST', 'The request body is not valid JSON.', { docs: false }) };
    const url = (parsed.value as { url?: unknown } | null)?.url;
    if (typeof url !== 'string') {
      // "details — Optional structured context (FHIR issues, conflicting resource IDs, etc.)": the missing field.
      return { situation: 'webhook-without-url', answer: failure(400, 'BAD_REQUEST', 'url is required.', { details: { missingFields: ['url'] } }) };
    }
    const existing = WEBHOOK_URLS.get(url);
    if (existing) {
      // "| 409 | CONFLICT | The request conflicts with existing state (e.g. duplicate webhook URL). |" with
      // "details — Optional structured context (FHIR issues, conflicting resource IDs, etc.)".
      return { situation: 'duplicate-webhook', answer: failure(409, 'CONFLICT', `A webhook for ${url} is already registered.`, { details: { conflictingResourceIds: [existing] } }) };
    }
    return { situation: 'webhook-created', answer: { status: 201, headers: { 'content-type': 'application/json' }, body: { id: `wh_${randomBytes(5).toString('hex')}`, url } } };
  }
  if (req.method === 'POST' && path === '/v1/fhir/Observation') {
    const parsed = parses(req.body);
    if (!parsed.ok) return { situation: 'malformed-fhir', answer: failure(400, 'BAD_REQUEST', 'The request body is not valid JSON.') };
    const obs = (parsed.value ?? {}) as { status?: unknown; code?: { coding?: { system?: unknown }[] } };
    const issues: { path: string; diagnostics: string; code: string; severity: string }[] = [];
    // "When submitting FHIR resources, the API validates against R4 profiles. Validation errors are returned as
    // structured issue arrays inside details.issues." Each issue written path, diagnostics, code, severity (the
    // seed's example: severity, code, path, diagnostics); the code check comes first here.
    if (!obs.code?.coding?.some((c) => c.system === 'http://loinc.org')) {
      issues.push({ path: 'Observation.code', diagnostics: 'Observation.code must use a LOINC coding system.', code: 'value', severity: 'error' });
    }
    if (typeof obs.status !== 'string') {
      issues.push({ path: 'Observation.status', diagnostics: 'Observation.status is required but missing.', code: 'required', severity: 'error' });
    }
    if (issues.length > 0) {
      // "| 422 | FHIR_VALIDATION_ERROR | The FHIR resource body failed R4 profile validation. |", here with docsUrl
      // (the seed's FHIR example and the reference mock leave it out).
      return {
        situation: 'observation-invalid',
        answer: failure(422, 'FHIR_VALIDATION_ERROR', `FHIR R4 validation failed for Observation resource (${issues.length} issues).`, { details: { issues } }),
      };
    }
    return { situation: 'observation-created', answer: { status: 201, headers: { 'content-type': 'application/fhir+json' }, body: { ...obs, id: 'obs-1' } } };
  }
  // "| 404 | NOT_FOUND | The requested resource (patient, deployment, asset, etc.) does not exist. |"
  return { situation: 'no-route', answer: failure(404, 'NOT_FOUND', `Nothing at ${path}.`) };
}
