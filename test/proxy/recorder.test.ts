import { loadProfile } from '../../src/profile/load';
import { ProxyRecorder, type SeenRequest } from '../../src/proxy/recorder';
import { Redactor } from '../../src/util/redact';

const profile = loadProfile('opescare');
const CLIENT_ID = 'Canary Client!Id';
const CLIENT_SECRET = 'Canary/Secret+9=';
const formEncode = (v: string): string => new URLSearchParams({ v }).toString().slice(2);
const BASIC = Buffer.from(`${formEncode(CLIENT_ID)}:${formEncode(CLIENT_SECRET)}`).toString('base64');
const ACCESS = 'CanaryAccess/Tok+en=';

function recordOne(request: Partial<SeenRequest>, echo: (r: SeenRequest) => string): string {
  const exchanges: unknown[] = [];
  const recorder = new ProxyRecorder(profile, 'http://127.0.0.1:1', { redactor: new Redactor(), onExchange: (e) => exchanges.push(e) });
  const seen: SeenRequest = { seq: 1, method: 'GET', url: 'http://127.0.0.1:1/api/v1/connect/patient/search', headers: {}, ...request };
  recorder.response(seen, { status: 401, headers: { 'content-type': 'application/json', 'x-echo': echo(seen) }, body: { text: echo(seen), truncated: false } }, 1);
  return JSON.stringify({ head: recorder.head(), exchanges });
}

describe('issue 14 item 2: Basic credentials', () => {
  test('the proxy recorder decodes Basic: the header, the base64, the id and secret (form-encoded or not) are redacted', () => {
    const out = recordOne({ headers: { authorization: `Basic ${BASIC}` } }, () =>
      `{"error":"invalid_client","message":"you sent Basic ${BASIC}: ${formEncode(CLIENT_ID)} ${CLIENT_ID} ${CLIENT_SECRET} ${formEncode(CLIENT_SECRET)} ${BASIC}"}`);
    for (const leak of [BASIC, CLIENT_ID, CLIENT_SECRET, formEncode(CLIENT_ID), formEncode(CLIENT_SECRET)]) expect(out).not.toContain(leak);
    expect(out).toContain('[REDACTED]');
  });

  test('the proxy recorder redacts an echoed ?access_token= value, bare and JSON-escaped', () => {
    const out = recordOne({ url: `http://127.0.0.1:1/api/v1/connect/patient/search?access_token=${encodeURIComponent(ACCESS)}` }, () =>
      `{"error":"token_invalid","message":"${ACCESS} or ${ACCESS.replace(/\//g, '\\/').replace(/\+/g, '\\u002B')}"}`);
    expect(out).not.toContain(ACCESS);
    expect(out).not.toContain(encodeURIComponent(ACCESS));
    expect(out).not.toContain('CanaryAccess');
  });
});

describe('issue 14 item 3: credential-shaped values learned in the proxy', () => {
  test('headers, cookies joined by ", ", query parameters, JSON fields, --secret-header and --secret-param', () => {
    const secrets = ['GoogKey/1+a', 'Cookie1Val', 'Cookie2Val', 'QuerySubKey9', 'JsonPrivKey8', 'TenantHdr77', 'TenantPrm66'];
    const exchanges: unknown[] = [];
    const recorder = new ProxyRecorder(profile, 'http://127.0.0.1:1', { redactor: new Redactor([], ['x-tenant'], ['tenant']), onExchange: (e) => exchanges.push(e) });
    const request: SeenRequest = {
      seq: 1,
      method: 'POST',
      url: `http://127.0.0.1:1/api/v1/connect/consents?subscription-key=${secrets[3]}&tenant=${secrets[6]}`,
      headers: { 'x-goog-api-key': secrets[0], cookie: `a=${secrets[1]}, b=${secrets[2]}`, 'x-tenant': secrets[5] },
      body: JSON.stringify({ credentials: { privateKey: secrets[4] } }),
    };
    const echo = `{"error":"token_invalid","status":401,"message":"${secrets.join(' ')}"}`;
    recorder.response(request, { status: 401, headers: { 'content-type': 'application/json' }, body: { text: echo, truncated: false } }, 1);
    const out = JSON.stringify(exchanges);
    expect(exchanges).toHaveLength(1);
    for (const s of secrets) expect(out).not.toContain(s);
  });
});
