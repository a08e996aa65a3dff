import { randomUUID } from 'node:crypto';
import { bearerOf, parses, serve, type Answer, type ConformantServer, type Deviation, type Handled, type Incoming } from './serve';

/**
 * A hand-written FHIR R4 server, conformant to seeds/003_60d26606fe5eb48f.txt ("Error Responses"): "The FHIR API
 * follows the FHIR specification for error handling, returning OperationOutcome resources for errors." Written
 * without errspec's profile or mock. Every choice quotes the seed, or the FHIR specification it defers to.
 */

/** The one bearer token this server accepts. */
export const TOKEN = 'fhir-conformant-token-93ad';

/** Patient/example is at version 2 (the seed's Version Conflict example: "current version is 2"). */
const PATIENTS = new Map<string, { version: number }>([['example', { version: 2 }]]);

export async function start(deviate?: Deviation): Promise<ConformantServer> {
  return serve(handle, deviate);
}

interface Issue {
  code: string;
  text?: string;
  diagnostics?: string;
  expression?: string[];
}

/**
 * "Errors are returned as OperationOutcome resources". RFC 8259 §1: "An object is an unordered collection of zero
 * or more name/value pairs": this server writes issue before resourceType, and each issue as diagnostics, code,
 * severity, details (the reference mock: resourceType, issue; severity, code, details). The media type carries
 * FHIR's fhirVersion parameter.
 */
function outcome(status: number, issues: Issue[], headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/fhir+json; fhirVersion=4.0', ...headers },
    body: {
      issue: issues.map((i) => ({
        ...(i.diagnostics ? { diagnostics: i.diagnostics } : {}),
        code: i.code,
        severity: 'error',
        ...(i.expression ? { expression: i.expression } : {}),
        ...(i.text ? { details: { text: i.text } } : {}),
      })),
      resourceType: 'OperationOutcome',
      id: randomUUID(),
    },
  };
}

function handle(req: Incoming): Handled {
  const path = req.url.pathname;
  if (path === '/metadata') {
    if (req.method === 'GET' || req.method === 'HEAD') {
      return { situation: 'capabilities', answer: { status: 200, headers: { 'content-type': 'application/fhir+json' }, body: { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] } } };
    }
    // "405 Method Not Allowed - HTTP method not supported for endpoint". FHIR IssueType "not-supported": "The
    // interaction, operation, resource or profile is not supported." RFC 9110 §15.5.6: "The origin server MUST
    // generate an Allow header field in a 405 response containing a list of the target resource's currently
    // supported methods." This server supports GET and HEAD there (the reference mock's Allow: GET).
    return {
      situation: 'metadata-method',
      answer: outcome(405, [{ code: 'not-supported', diagnostics: `${req.method} is not supported on /metadata` }], { allow: 'GET, HEAD' }),
    };
  }
  const token = bearerOf(req.headers);
  if (token === undefined) {
    // "401 Unauthorized - Authentication required". FHIR IssueType "login": "The client needs to initiate an
    // authentication process." RFC 9110 §15.5.2: "The server generating a 401 response MUST send a WWW-Authenticate
    // header field (Section 11.6.1) containing at least one challenge applicable to the target resource."
    return {
      situation: 'no-token',
      answer: outcome(401, [{ code: 'login', text: 'Authentication required: send a bearer token' }], { 'www-authenticate': 'Bearer realm="fhir"' }),
    };
  }
  if (token !== TOKEN) {
    // "401 Unauthorized - Authentication required". FHIR IssueType "unknown": "The user or system was not able to be
    // authenticated (either there is no process, or the proferred token is unacceptable)." (the reference mock: login).
    return {
      situation: 'bad-token',
      answer: outcome(401, [{ code: 'unknown', text: 'The bearer token is not acceptable' }], { 'www-authenticate': 'Bearer realm="fhir", error="invalid_token"' }),
    };
  }
  const patient = /^\/Patient\/([^/]+)$/.exec(path);
  if (patient) {
    const id = decodeURIComponent(patient[1]);
    const current = PATIENTS.get(id);
    if (req.method === 'GET') {
      if (current) return { situation: 'patient', answer: { status: 200, headers: { 'content-type': 'application/fhir+json', etag: `W/"${current.version}"` }, body: { resourceType: 'Patient', id, meta: { versionId: String(current.version) }, name: [{ family: 'Chalmers' }] } } };
      // "404 Not Found - Resource not found" and the seed's Not Found (404) example: "code": "not-found".
      return {
        situation: 'patient-not-found',
        answer: outcome(404, [{ code: 'not-found', text: `Resource Patient/${id} not found`, diagnostics: `No Patient with id ${id} exists on this server` }]),
      };
    }
    if (req.method === 'PUT' && current) {
      const ifMatch = req.headers['if-match'];
      const wanted = typeof ifMatch === 'string' ? /^W\/"(\d+)"$/.exec(ifMatch.trim())?.[1] : undefined;
      if (wanted !== undefined && Number(wanted) !== current.version) {
        // The seed documents two statuses for an update with an outdated version: "409 Conflict - Version conflict
        // (e.g., during update)" and "412 Precondition Failed - Conditional operation failed". FHIR R4 http.html, for
        // exactly this request: "If the version id given in the If-Match header does not match, the server returns a
        // 412 Precondition Failed status code instead of updating the resource." This server answers 412 (the
        // reference mock answers 409), with the seed's own issue code for it: "code": "conflict", "Version conflict:
        // current version is 2, provided version is 1". Preconditions are evaluated before the content is.
        return {
          situation: 'stale-if-match',
          answer: outcome(412, [{ code: 'conflict', text: `Version conflict: current version is ${current.version}, provided version is ${wanted}` }]),
        };
      }
    }
  }
  if (req.method === 'POST' && path === '/Patient') {
    const parsed = parses(req.body);
    if (!parsed.ok) {
      // "400 Bad Request - Invalid request (malformed syntax, validation errors)". FHIR IssueType "structure" (a child
      // of "invalid"): "A structural issue in the content such as wrong namespace, unable to parse the content
      // completely, invalid syntax, etc." (the reference mock: invalid).
      return { situation: 'malformed-json', answer: outcome(400, [{ code: 'structure', diagnostics: 'Unexpected end of JSON input' }]) };
    }
    const resource = parsed.value as { resourceType?: unknown; name?: unknown } | null;
    if (resource?.resourceType !== 'Patient' || !Array.isArray(resource.name) || resource.name.length === 0) {
      // The seed's Validation Errors (400): "When a resource fails validation" with "code": "invalid" and "Required
      // field missing: Patient.name" (this server, like the seed's, requires Patient.name). The OperationOutcome
      // format's "diagnostics" and FHIR's issue.expression are added (the reference mock sends details only).
      return {
        situation: 'invalid-patient',
        answer: outcome(400, [{ code: 'invalid', text: 'Resource validation failed', diagnostics: 'Patient.name: minimum required = 1, but only found 0', expression: ['Patient.name'] }]),
      };
    }
    return { situation: 'patient-created', answer: { status: 201, headers: { 'content-type': 'application/fhir+json', location: `/Patient/${randomUUID()}/_history/1` }, body: { ...resource, id: randomUUID() } } };
  }
  // "404 Not Found - Resource not found"
  return { situation: 'no-route', answer: outcome(404, [{ code: 'not-found', text: `Resource ${path.slice(1)} not found` }]) };
}
