import type { EvaluatedExchange, Finding, VendorRun } from '../../src/types';

/** Fixed runs for the reporter tests: every outcome, fixed timestamps, nothing from the clock. */

const rule = (id: string, source: string, text: string) => ({ id, source, text });
const ENVELOPE = rule('opescare.envelope', 'seed 000', 'Always check the error field for a machine-readable code and the message field for a human-readable explanation.');
const JSON_BODY = rule('opescare.json-body', 'seed 000', 'OpesCare uses standard HTTP status codes and returns a consistent JSON error body for every failure.');
const RETRY_AFTER = rule('rfc9110.retry-after-syntax', 'RFC 9110 §10.2.3', 'Retry-After = HTTP-date / delay-seconds; delay-seconds = 1*DIGIT');
const BASE = 'http://127.0.0.1:4010';

const pass = (check: string, message: string, r = ENVELOPE): Finding => ({ check, outcome: 'pass', message, rule: r });
const repro = (method: string, path: string) => `curl -i -X ${method} '${BASE}${path}' -H "Authorization: Bearer \${ERRSPEC_TOKEN}"`;

function exchange(id: string, method: string, path: string, status: number | null, body: string, headers: Record<string, string>, findings: Finding[]): EvaluatedExchange {
  return {
    id,
    entry: null,
    request: { method, url: `${BASE}${path}`, headers: { authorization: 'Bearer [REDACTED]', accept: 'application/json' } },
    ...(status === null
      ? { transportError: { code: 'ECONNRESET', message: 'socket hang up' } }
      : { response: { status, headers: { 'content-type': 'application/json', ...headers }, body } }),
    expectedStatuses: [status ?? 500],
    durationMs: 12,
    ok: !findings.some((f) => f.outcome === 'fail' || f.outcome === 'error'),
    findings,
  };
}

/** One opescare run with a pass, a fail, a warning, a skip and a transport error. */
export function fixedRun(): VendorRun {
  const searchPath = '/api/v1/connect/patient/search?health_id=OPC-2024-00001';
  return {
    vendor: 'opescare',
    title: 'OpesCare Connect API',
    target: BASE,
    source: 'probe',
    startedAt: '2026-11-22T15:00:00.000Z',
    durationMs: 812,
    strict: false,
    exchanges: [
      exchange('missing-credential', 'GET', searchPath, 401, '{"error":"token_invalid","message":"no token","status":401}', {}, [
        pass('media-type', 'Content-Type application/json', JSON_BODY),
        pass('envelope-schema', 'body matches opescare-error'),
        pass('code-matches-status', 'token_invalid at 401 as documented'),
        { check: 'retry-after-syntax', outcome: 'skip', message: 'no Retry-After header' },
      ]),
      exchange('unknown-patient', 'GET', '/api/v1/connect/patient/OPC-2024-99999', 404, '{"error":"not_found","message":"nope","status":404}', {}, [
        pass('media-type', 'Content-Type application/json', JSON_BODY),
        pass('envelope-schema', 'body matches opescare-error'),
        {
          check: 'code-matches-status', outcome: 'fail', message: 'code not_found is not in the documented list for 404',
          rule: rule('opescare.code-table', 'seed 000', 'Machine-Readable Error Codes: patient_not_found, facility_not_found'),
          expected: ['patient_not_found', 'facility_not_found'], actual: 'not_found', repro: repro('GET', '/api/v1/connect/patient/OPC-2024-99999'),
        },
      ]),
      exchange('rate-limit', 'GET', searchPath, 429, '{"error":"rate_limit_exceeded","message":"slow down","status":429,"retry_in":3}', { 'retry-after': '3' }, [
        pass('media-type', 'Content-Type application/json', JSON_BODY),
        { check: 'undocumented-fields', outcome: 'warn', message: 'fields the envelope does not document: /retry_in', rule: ENVELOPE, expected: 'documented fields only', actual: ['/retry_in'] },
        pass('retry-after-syntax', 'Retry-After 3 is delay-seconds', RETRY_AFTER),
      ]),
      exchange('server-error', 'POST', '/api/v1/connect/consent', null, '', {}, [
        { check: 'media-type', outcome: 'error', message: 'ECONNRESET: socket hang up', repro: repro('POST', '/api/v1/connect/consent') },
      ]),
    ],
    notes: ['probe duplicate-webhook left out: it creates data (use --allow-writes)'],
  };
}

/** A second vendor that passes, for pages and reports of several runs (verify --all). */
export function passingRun(): VendorRun {
  return {
    vendor: 'healthcloud',
    title: 'HealthCloud API',
    target: 'http://127.0.0.1:4011',
    source: 'probe',
    startedAt: '2026-11-22T15:00:01.000Z',
    durationMs: 403,
    strict: true,
    exchanges: [
      exchange('missing-credential', 'GET', '/v2/patients', 401, '{"error":{"code":"UNAUTHORIZED","message":"no","requestId":"r1","docsUrl":"https://docs"}}', {}, [
        pass('media-type', 'Content-Type application/json'),
        pass('envelope-schema', 'body matches healthcloud-error'),
      ]),
    ],
  };
}

/** A vendor whose target could not be reached at all. */
export function unreachableRun(): VendorRun {
  return { vendor: 'medblocks', target: 'http://127.0.0.1:9', source: 'probe', startedAt: '2026-11-22T15:00:02.000Z', durationMs: 5, strict: false, exchanges: [], unreachable: 'connect ECONNREFUSED 127.0.0.1:9' };
}

/** Every C0 control character, lone surrogates, non-characters, CDATA end, markup and invalid UTF-8 decoded as U+FFFD. */
export const HOSTILE = [
  Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join(''),
  '\uD800 lone high, \uDC00 lone low, \uFFFE\uFFFF non-characters, \u007F\u0085 C1',
  ']]> <![CDATA[ x ]]> <script>document.title="pwned"</script> <img src=x onerror=alert(1)> & &amp; "quoted" \'single\'',
  Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82]).toString('utf8'),
  '😀 astral stays',
].join(' | ');

/** A run whose response body, headers, messages and values are full of XML- and HTML-hostile text. */
export function hostileRun(): VendorRun {
  const finding: Finding = {
    check: 'json-body', outcome: 'fail', message: `body is not JSON: ${HOSTILE}`,
    rule: rule('opescare.json-body', `seed ${HOSTILE}`, HOSTILE), expected: 'a JSON error envelope', actual: HOSTILE, repro: `curl -i '${BASE}/x?q=${HOSTILE}'`,
  };
  return {
    vendor: 'opescare',
    target: `${BASE}/${HOSTILE}`,
    source: 'proxy',
    startedAt: '2026-11-22T15:00:00.000Z',
    durationMs: 7,
    strict: false,
    exchanges: [
      {
        ...exchange(`proxy-1 ${HOSTILE}`, 'GET', `/x?q=${HOSTILE}`, 500, HOSTILE, { 'x-hostile': HOSTILE, 'content-type': 'text/html' }, [
          finding,
          { check: 'envelope-schema', outcome: 'skip', message: `skipped: ${HOSTILE}` },
          { check: 'undocumented-fields', outcome: 'warn', message: `warned: ${HOSTILE}` },
          { check: 'media-type', outcome: 'error', message: `error: ${HOSTILE}` },
        ]),
      },
    ],
    notes: [HOSTILE],
  };
}
