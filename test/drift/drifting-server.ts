import { randomBytes } from 'node:crypto';
import { json, startServer, type TestServer } from '../helpers/server';

/** The one key this server accepts. */
export const KEY = 'hc_drift_key_7f3a91';

/**
 * What changes between the two runs, one change per probe so each is one drift finding:
 * - `new-code`: unknown-patient answers an undocumented code (NOT_FOUND -> PATIENT_ARCHIVED);
 * - `moved-status`: invalid-resource's FHIR_VALIDATION_ERROR comes with 400 instead of 422;
 * - `retry-after-date`: the 429's Retry-After is an HTTP-date instead of delay-seconds;
 * - `dropped-field`: malformed-body's error leaves out docsUrl;
 * - `removed-header`: missing-credential's 401 comes without WWW-Authenticate.
 * Request ids and messages change on every request, in every version.
 */
export type Change = 'new-code' | 'moved-status' | 'retry-after-date' | 'dropped-field' | 'removed-header';

export interface DriftingServer extends TestServer {
  /** The changes in effect from now on; also starts a new rate-limit window. */
  set(changes: Change[]): void;
}

/** A HealthCloud-shaped server on 127.0.0.1, port 0, that can drift. */
export async function startDriftingServer(): Promise<DriftingServer> {
  let changes = new Set<Change>();
  let served = 0;
  let burst = 0;
  const error = (code: string, message: string, extra: Record<string, unknown> = {}, docs = true) => ({
    error: {
      code,
      message: `${message} (answer ${++served})`,
      requestId: `req_${randomBytes(8).toString('hex')}`,
      ...(docs ? { docsUrl: `https://healthcloud.ai/docs/api/errors#${code}` } : {}),
      ...extra,
    },
  });
  const server = await startServer((req, res, body) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    if (auth === undefined || auth !== `Bearer ${KEY}`) {
      const challenge: Record<string, string> = auth === undefined && changes.has('removed-header') ? {} : { 'www-authenticate': `Bearer realm="hc-${served % 3}"` };
      return json(res, 401, error('UNAUTHORIZED', 'Missing, invalid, or expired API key or JWT token.'), challenge);
    }
    const patient = /^\/v1\/fhir\/Patient\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && patient && patient[1] === 'example') {
      if (++burst <= 2) return json(res, 200, { resourceType: 'Patient', id: 'example' }, { 'content-type': 'application/fhir+json' });
      const retryAfter = changes.has('retry-after-date') ? new Date(Math.ceil(Date.now() / 1000 + 1) * 1000).toUTCString() : '1';
      return json(res, 429, error('RATE_LIMITED', 'Too many requests.', {}, false), {
        'retry-after': retryAfter,
        'x-ratelimit-limit': '2',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1),
      });
    }
    if (req.method === 'GET' && patient) {
      const details = { details: { resourceType: 'Patient', resourceId: patient[1] } };
      if (changes.has('new-code')) return json(res, 404, error('PATIENT_ARCHIVED', `Patient ${patient[1]} was archived.`, details));
      return json(res, 404, error('NOT_FOUND', `Patient with ID 'Patient/${patient[1]}' not found.`, details));
    }
    if (req.method === 'POST' && url.pathname === '/v1/webhooks') {
      try {
        JSON.parse(body);
      } catch {
        return json(res, 400, error('BAD_REQUEST', 'The request body is not valid JSON.', {}, !changes.has('dropped-field')));
      }
      return json(res, 400, error('BAD_REQUEST', 'url is required.'));
    }
    if (req.method === 'POST' && url.pathname === '/v1/fhir/Observation') {
      const issues = [{ severity: 'error', code: 'required', path: 'Observation.status', diagnostics: 'Observation.status is required but missing.' }];
      return json(res, changes.has('moved-status') ? 400 : 422, error('FHIR_VALIDATION_ERROR', 'FHIR R4 validation failed.', { details: { issues } }));
    }
    return json(res, 404, error('NOT_FOUND', `Nothing at ${url.pathname}.`));
  });
  return {
    ...server,
    set(next: Change[]) {
      changes = new Set(next);
      burst = 0;
    },
  };
}
