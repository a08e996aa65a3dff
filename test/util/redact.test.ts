import { REDACTED, Redactor } from '../../src/util/redact';

const TOKEN = 'CanaryA/b+c=Zq9';

describe('issue 14 item 1: JSON-escaped echoes', () => {
  const redactor = new Redactor([TOKEN]);

  test.each([
    ['ASP.NET \\u002B', 'CanaryA/b\\u002Bc=Zq9'],
    ['PHP \\/', 'CanaryA\\/b+c=Zq9'],
    ['both, upper-case hex', 'CanaryA\\/b\\u002Bc\\u003DZq9'],
    ['lower-case hex, a letter escaped', '\\u0043anaryA\\u002fb\\u002bc=Zq9'],
    ['every character escaped', [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')],
  ])('%s: the echo and what a JSON reader decodes from it are redacted', (_kind, escaped) => {
    const body = `{"error":"token_invalid","message":"token ${escaped} rejected","echo":["${escaped}"]}`;
    const out = redactor.text(body);
    expect(out).toContain(REDACTED);
    // What the reporters show: the body parsed and pretty-printed.
    expect(JSON.stringify(JSON.parse(out), null, 2)).not.toContain(TOKEN);
    expect(out).not.toContain('Zq9');
  });

  test('text without a secret is unchanged, escapes included', () => {
    const body = '{"message":"a\\u002Bb \\/ c","path":"\\/api"}';
    expect(redactor.text(body)).toBe(body);
  });

  test('deep() redacts parsed strings, so a report built from a parsed document holds no secret', () => {
    expect(JSON.stringify(redactor.deep({ [TOKEN]: [`x ${TOKEN} y`] }))).not.toContain(TOKEN);
  });
});
