import { randomBytes, randomUUID } from 'node:crypto';
import { bearerOf, FixedWindow, httpDate, parses, serve, type Answer, type ConformantServer, type Deviation, type Handled, type Incoming } from './serve';

/**
 * A hand-written OpesCare Connect server, conformant to seeds/000_d30f6aef843f423d.txt ("Errors &
 * Troubleshooting"), written without errspec's profile or mock. Every choice quotes the seed.
 */

/** The OAuth client this server knows. */
export const CLIENT_ID = 'conformant-opescare-client';
export const CLIENT_SECRET = 'conformant-opescare-secret-7d41';
/**
 * The seed names the grant but not the token URL ("Request a new token using client_credentials grant"),
 * so this server picks its own path, unlike the reference mock's /oauth/token.
 */
export const TOKEN_PATH = '/api/v1/auth/token';

/** Requests per window per access token before 429. */
const LIMIT = 10;
const WINDOW_SECONDS = 30;

const PATIENTS = new Set(['OPC-2024-00001']);

export async function start(deviate?: Deviation): Promise<ConformantServer> {
  // "token_expired | 401 | Bearer token has expired (1-hour TTL)": tokens live 3600 s.
  const issued = new Map<string, number>();
  const windows = new Map<string, FixedWindow>();
  return serve((req) => handle(req, issued, windows), deviate);
}

/**
 * "OpesCare uses standard HTTP status codes and returns a consistent JSON error body for every failure."
 * "Always check the error field for a machine-readable code and the message field for a human-readable explanation."
 * The seed's format is { "error": ..., "message": ..., "status": 403 }. JSON objects are unordered
 * (RFC 8259 §1: "An object is an unordered collection of zero or more name/value pairs"), so this server
 * writes status first, then message, then error: the reference mock writes error, message, status.
 */
function failure(status: number, error: string, message: string, headers: Record<string, string> = {}): Answer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': randomUUID(), ...headers },
    body: { status, message, error },
  };
}

function handle(req: Incoming, issued: Map<string, number>, windows: Map<string, FixedWindow>): Handled {
  const path = req.url.pathname;
  if (path === TOKEN_PATH) return tokenEndpoint(req, issued);

  const token = bearerOf(req.headers);
  // RFC 6750 §3: "If the protected resource request does not include authentication credentials or does not
  // contain an access token that enables access to the protected resource, the resource server MUST include
  // the HTTP "WWW-Authenticate" response header field".
  if (token === undefined) {
    // "401 | Unauthenticated | Token missing, expired, or malformed — re-authenticate"; of the 401 codes,
    // "token_invalid | 401 | Malformed or revoked token" is the one for a bearer token the client did not send.
    return {
      situation: 'no-token',
      answer: failure(401, 'token_invalid', 'Authentication required: send an OpesCare bearer token.', { 'www-authenticate': 'Bearer realm="opescare"' }),
    };
  }
  const expiresAt = issued.get(token);
  if (expiresAt === undefined) {
    // "token_invalid | 401 | Malformed or revoked token | Re-authenticate from scratch"
    return {
      situation: 'unknown-token',
      answer: failure(401, 'token_invalid', 'The bearer token is malformed or has been revoked; re-authenticate from scratch.', {
        'www-authenticate': 'Bearer realm="opescare", error="invalid_token"',
      }),
    };
  }
  if (Date.now() >= expiresAt) {
    // "token_expired | 401 | Bearer token has expired (1-hour TTL) | Request a new token using client_credentials grant"
    return {
      situation: 'expired-token',
      answer: failure(401, 'token_expired', 'Your bearer token expired; request a new one with the client_credentials grant.', {
        'www-authenticate': 'Bearer realm="opescare", error="invalid_token"',
      }),
    };
  }

  let window = windows.get(token);
  if (!window) windows.set(token, (window = new FixedWindow(LIMIT, WINDOW_SECONDS)));
  if (window.over()) {
    // "429 | Rate Limited | Too many requests — back off and retry after the Retry-After header value" and
    // "rate_limit_exceeded | 429 | Too many requests in a short window | Respect the Retry-After response header".
    // The seed names the header, not its form: RFC 9110 §10.2.3 "Retry-After = HTTP-date / delay-seconds", so this
    // server sends the HTTP-date (IMF-fixdate) at which its window ends, where the reference mock sends seconds.
    // (The seed's sample clients assume seconds, "time.sleep(int(resp.headers.get('Retry-After', 5)))": a sample,
    // not a statement; its table's sentence names only "the Retry-After header value".)
    const retryAt = Math.ceil(window.resetAt() / 1000) * 1000;
    return {
      situation: 'rate-limited',
      answer: failure(429, 'rate_limit_exceeded', `Too many requests in a short window; retry after ${httpDate(retryAt)}.`, { 'retry-after': httpDate(retryAt) }),
    };
  }

  if (req.method === 'GET' && path === '/api/v1/connect/patient/search') {
    const healthId = req.url.searchParams.get('health_id') ?? '';
    if (PATIENTS.has(healthId)) {
      return { situation: 'patient-found', answer: { status: 200, headers: { 'content-type': 'application/json' }, body: { health_id: healthId, name: 'Ama Mensah' } } };
    }
    // "patient_not_found | 404 | No patient matches the given Health ID"
    return { situation: 'patient-not-found', answer: failure(404, 'patient_not_found', `No patient matches Health ID ${healthId}.`) };
  }
  const facility = /^\/api\/v1\/connect\/facilities\/([^/]+)$/.exec(path);
  if (req.method === 'GET' && facility) {
    // "facility_not_found | 404 | Facility ID does not exist"
    return { situation: 'facility-not-found', answer: failure(404, 'facility_not_found', `Facility ${decodeURIComponent(facility[1])} does not exist.`) };
  }
  if (req.method === 'POST' && path === '/api/v1/connect/consents') {
    const parsed = parses(req.body);
    if (!parsed.ok) {
      // "400 | Bad Request | Missing required fields, malformed JSON, invalid date format". The code table lists
      // no code at 400, yet "Always check the error field for a machine-readable code": this server's code for a
      // body that is not JSON is malformed_json (the reference mock says invalid_request).
      return { situation: 'malformed-json', answer: failure(400, 'malformed_json', 'The request body is not valid JSON.') };
    }
    // "400 | Bad Request | Missing required fields, ..."
    return { situation: 'missing-fields', answer: failure(400, 'missing_required_fields', 'health_id and scope are required.') };
  }
  // "404 | Not Found | Patient not found, invalid health ID, resource deleted"
  return { situation: 'no-route', answer: failure(404, 'not_found', `No resource at ${path}.`) };
}

/** "Request a new token using client_credentials grant" (RFC 6749 §4.4). */
function tokenEndpoint(req: Incoming, issued: Map<string, number>): Handled {
  const form = new URLSearchParams(req.body);
  if (req.method !== 'POST' || form.get('grant_type') !== 'client_credentials') {
    // "400 | Bad Request | Missing required fields, ..."
    return { situation: 'token-bad-grant', answer: failure(400, 'unsupported_grant_type', 'Use grant_type=client_credentials.') };
  }
  let id = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map((s) => decodeURIComponent(s.replace(/\+/g, ' ')));
  if (id !== CLIENT_ID || secret !== CLIENT_SECRET) {
    // "invalid_client | 401 | Wrong client_id or client_secret | Check credentials in the developer portal"
    return { situation: 'token-refused', answer: failure(401, 'invalid_client', 'Wrong client_id or client_secret.', { 'www-authenticate': 'Basic realm="opescare"' }) };
  }
  const token = `opc_${randomBytes(24).toString('base64url')}`;
  issued.set(token, Date.now() + 3600 * 1000);
  // RFC 6749 §5.1, fields in another order than the reference mock's.
  return {
    situation: 'token-issued',
    answer: {
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: { token_type: 'Bearer', expires_in: 3600, access_token: token },
    },
  };
}
