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

describe('issue 14 item 5: short secrets and secrets cut by the body cap', () => {
  test('a body cut inside a secret does not keep its first characters', () => {
    const redactor = new Redactor([TOKEN]);
    for (const length of [1, 4, TOKEN.length - 1]) {
      const cut = `{"message":"token ${TOKEN.slice(0, length)}`;
      const out = redactor.text(cut, { cut: true });
      expect(out.endsWith(REDACTED)).toBe(true);
      expect(out).toBe(`{"message":"token ${REDACTED}`);
    }
    // Another secret whose first character ends the text must not win over the longer prefix.
    const two = new Redactor([TOKEN, 'Zq-another-longer-secret']);
    expect(two.text(`token ${TOKEN.slice(0, 14)}`, { cut: true })).toBe(`token ${REDACTED}`);
    // Only a cut body: the same text whole is left alone.
    expect(redactor.text('{"message":"token C')).toBe('{"message":"token C');
  });

  test('a secret shorter than 4 characters given by an environment variable is refused, saying so', async () => {
    const { runCli } = await import('../helpers/cli');
    const result = await runCli(['verify', '--vendor', 'opescare', '--token-env', 'SHORT_TOKEN'], { SHORT_TOKEN: 'abc' });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('errspec: --token-env SHORT_TOKEN: the value is shorter than 4 characters, too short to be redacted from reports reliably: refused\n');
    expect(result.stderr).not.toContain('abc');
  });
});

describe('a query value with a space, echoed with "+" for it', () => {
  test('is redacted: the value learned from ?api-key=a+b%2Fc is also written a+b/c', () => {
    const url = `https://api.example.test/x?${new URLSearchParams({ 'api-key': 'cnry q1w2e3r4/Zq9=' }).toString()}`;
    const redactor = new Redactor().learnFrom({}, { url });
    expect(redactor.text('rejected cnry+q1w2e3r4/Zq9=')).toBe('rejected [REDACTED]');
    expect(redactor.text(url)).not.toContain('q1w2e3r4');
  });
});
