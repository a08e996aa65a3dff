import { forwardHeaders, headerMapOf, parseTarget, responseHeaders, targetPath } from '../../src/proxy/forward';
import { isErrspecError } from '../../src/errors';

describe('what the proxy forwards', () => {
  test('request headers keep order, case and repeats; hop-by-hop ones, Host, Expect and those Connection names go', () => {
    const raw = ['Host', 'proxy:1', 'X-Trace', 'a', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'gone', 'Accept', 'text/plain', 'accept', 'application/json', 'Expect', '100-continue', 'TE', 'trailers', 'Proxy-Authorization', 'Basic x', 'Authorization', 'Bearer t'];
    expect(forwardHeaders(raw)).toEqual(['X-Trace', 'a', 'Accept', 'text/plain', 'accept', 'application/json', 'Authorization', 'Bearer t']);
  });

  test('response headers keep Set-Cookie repeats and lose framing of the target connection', () => {
    const raw = ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Transfer-Encoding', 'chunked', 'Keep-Alive', 'timeout=5', 'Content-Length', '12'];
    expect(responseHeaders(raw)).toEqual(['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '12']);
    expect(headerMapOf(raw)['set-cookie']).toBe('a=1, b=2');
  });

  test('a target may carry a path prefix; paths and queries go on byte for byte', () => {
    const target = parseTarget('https://sandbox.example/fhir/');
    expect(target).toEqual({ origin: 'https://sandbox.example', basePath: '/fhir' });
    expect(targetPath(target, '/Patient/a%2Fb?x=%20&y')).toBe('/fhir/Patient/a%2Fb?x=%20&y');
    expect(targetPath(target, 'http://other.example/Patient?z=1')).toBe('/fhir/Patient?z=1');
    expect(targetPath(parseTarget('http://127.0.0.1:9'), '*')).toBe('/');
  });

  test.each([['not a url'], ['ftp://x.example'], ['http://x.example/?q=1'], ['http://user:pw@x.example']])('target %s is a usage error', (raw) => {
    let error: unknown;
    try {
      parseTarget(raw);
    } catch (e) {
      error = e;
    }
    expect(isErrspecError(error)).toBe(true);
    expect((error as { exitCode: number }).exitCode).toBe(2);
  });
});
