import type { Entry } from 'har-format';
import { HarCapture } from '../../src/har/read';
import { Redactor } from '../../src/util/redact';

/**
 * Issue 17: HarCapture redacts a text with the run's redactor unless it may hold the request's own
 * credentials. The result must be exactly what the run's redactor plus those credentials gives.
 */
const TOKEN = 'Tok+en/With=Chars9';
const COOKIE = 'sess1on-Value-77';

function entry(i: number, echo: string): Entry {
  return {
    request: {
      method: 'GET', url: `https://api.example/p?x=${i}&api_key=Qk${i}zz`, httpVersion: 'HTTP/1.1', cookies: [], queryString: [], headersSize: -1, bodySize: 0,
      headers: [{ name: 'Authorization', value: `Bearer ${TOKEN}${i}` }, { name: 'Cookie', value: `a=${COOKIE}${i}; theme=dark` }, { name: 'X-Request-Id', value: `r-${i}` }],
    },
    response: {
      status: 401, statusText: '', httpVersion: 'HTTP/1.1', cookies: [], redirectURL: '', headersSize: -1, bodySize: 0,
      headers: [{ name: 'Content-Type', value: 'application/json' }, { name: `X-Echo-${echo}`, value: echo }, { name: 'Server', value: 'envoy' }],
      content: { size: 0, mimeType: 'application/json', text: JSON.stringify({ error: 'token_invalid', echo, escaped: echo.replace(/\//g, '\\/') }) },
    },
    startedDateTime: '2026-11-22T15:00:00Z', time: 1, cache: {}, timings: { send: 0, wait: 0, receive: 0 },
  } as Entry;
}

test('a capture redacts each request\'s own credentials wherever echoed, exactly as the run\'s redactor plus them would', () => {
  const run = new Redactor(['given-secret-1234']);
  const capture = new HarCapture(run);
  const echoes = (i: number): string[] => [`${TOKEN}${i}`, encodeURIComponent(`${TOKEN}${i}`), `${COOKIE}${i}`, `Qk${i}zz`, 'given-secret-1234', 'nothing secret', `${TOKEN}${i}`.replace('+', '\\u002B')];
  for (let i = 0; i < 40; i++) {
    for (const echo of echoes(i)) {
      const e = entry(i, echo);
      const got = capture.exchange(e, i);
      const full = run.learnFrom(Object.fromEntries(e.request.headers.map((h) => [h.name.toLowerCase(), h.value])), { url: e.request.url });
      expect(got.request.url).toBe(full.text(e.request.url));
      expect(got.response!.body).toBe(full.text(e.response.content.text!));
      expect(got.response!.headers).toEqual(full.headerMap(Object.fromEntries(e.response.headers.map((h) => [h.name.toLowerCase(), h.value]))));
      const shown = JSON.stringify(got);
      for (const secret of [`${TOKEN}${i}`, `${COOKIE}${i}`, `Qk${i}zz`, 'given-secret-1234']) expect(shown).not.toContain(secret);
    }
  }
});
