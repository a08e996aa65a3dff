import { createHash } from 'node:crypto';
import { BODY_EXCERPT_CHARS, checkColumns, escapeHtml, renderHtml } from '../../reporters/html';
import type { EvaluatedExchange } from '../../src/types';
import { fixedRun, hostileRun, passingRun, unreachableRun } from '../helpers/runs';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('escapeHtml', () => {
  it('escapes markup and quotes, and shows invisible characters as \\uXXXX', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml('a\u0000b\u001bc\u007f\uFFFE')).toBe('a\\u0000b\\u001bc\\u007f\\ufffe');
    expect(escapeHtml('tab\tline\nok')).toBe('tab\tline\nok');
    expect(escapeHtml('lone \uD800 and \uDC00')).toBe('lone \\ud800 and \\udc00');
    expect(escapeHtml('pair 😀 and \uFFFD kept')).toBe('pair 😀 and \uFFFD kept');
  });
});

describe('checkColumns', () => {
  const ex = (...checks: string[]) => ({ findings: checks.map((check) => ({ check, outcome: 'pass', message: '' })) }) as unknown as EvaluatedExchange;

  it('orders columns as the check registry does, whatever subset each exchange ran', () => {
    expect(checkColumns([ex('media-type', 'envelope-schema', 'retry-after-syntax'), ex('media-type', 'undocumented-fields', 'retry-after-syntax')]))
      .toEqual(['media-type', 'envelope-schema', 'undocumented-fields', 'retry-after-syntax']);
  });

  it('puts checks the registry does not know after the rest, in the order they ran', () => {
    expect(checkColumns([ex('pact-b', 'media-type'), ex('pact-a', 'pact-b')])).toEqual(['media-type', 'pact-a', 'pact-b']);
  });
});

describe('renderHtml', () => {
  it('is one self-contained page whose policy admits only its own style and script', () => {
    const html = renderHtml([fixedRun()]);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`style-src ${hashOf(style)}`);
    expect(csp).toContain(`script-src ${hashOf(script)}`);
    expect(html).not.toMatch(/\s(src|srcset|action)=/);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^#/);
    expect(html).not.toMatch(/url\(/);
  });

  it('shows a matrix cell per (exchange, check) with a symbol and an outcome class, not colour alone', () => {
    const html = renderHtml([fixedRun()]);
    expect(html).toContain('<td class="cell o-fail" title="code-matches-status: fail: code not_found is not in the documented list for 404"><a href="#r0-x1-c3"');
    expect(html).toMatch(/<td class="cell o-warn[^"]*" title="undocumented-fields: warn: [^"]*"><a href="#r0-x2-c2"[^>]*>!<\/a>/);
    expect(html).toMatch(/<td class="cell o-error" [^>]*><a href="#r0-x3-c0"[^>]*>⚠<\/a>/);
    expect(html).toMatch(/<td class="cell o-skip[^"]*" [^>]*><span[^>]*>–<\/span>/);
    expect(html).toContain('<tr class="clean"><th scope="row"><span class="id">missing-credential</span>');
  });

  it('opens each failure to its rule, expected and actual values, request, response and curl', () => {
    const html = renderHtml([fixedRun()]);
    const detail = html.slice(html.indexOf('<details class="exchange" id="r0-x1" open>'));
    expect(detail).toContain('<q>Machine-Readable Error Codes: patient_not_found, facility_not_found</q>');
    expect(detail).toContain('rule <code>opescare.code-table</code> · seed 000');
    expect(detail).toContain('<h4>Actual</h4><pre>not_found</pre>');
    expect(detail).toContain('authorization: Bearer [REDACTED]');
    expect(detail).toContain('HTTP 404\ncontent-type: application/json\n\n{\n  &quot;error&quot;: &quot;not_found&quot;');
    expect(detail).toContain('<pre id="r0-x1-curl0"><code>curl -i -X GET');
    // Warnings of passing exchanges are listed apart, closed.
    expect(html).toContain('<div class="warnings"><h3>Warnings (1 exchange)</h3><details class="exchange" id="r0-x2">');
  });

  it('gives several runs one tab and one section each, and says when a target was unreachable', () => {
    const html = renderHtml([fixedRun(), passingRun(), unreachableRun()]);
    expect(html.match(/<a role="tab"/g)).toHaveLength(3);
    expect(html.match(/<section class="run" id="run-\d" role="tabpanel"/g)).toHaveLength(3);
    expect(html).toContain('<strong>Target unreachable:</strong> connect ECONNREFUSED 127.0.0.1:9');
    expect(renderHtml([fixedRun()])).not.toContain('<nav class="tabs"');
  });

  it('escapes every value of a hostile run', () => {
    const html = renderHtml([hostileRun()]);
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img|<!\[CDATA\[/);
    expect(html).toContain('&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;');
    // No character left that a file or a parser would change: controls, lone surrogates.
    expect(html).not.toMatch(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('shows an excerpt of a long body and says how much was left out', () => {
    const run = fixedRun();
    run.exchanges[1].response!.body = 'x'.repeat(BODY_EXCERPT_CHARS + 250);
    run.exchanges[1].response!.truncated = true;
    const html = renderHtml([run]);
    expect(html).toContain('… 250 more characters not shown');
    expect(html).toContain('(the body was cut at the size cap while receiving)');
    expect(html).not.toContain('x'.repeat(BODY_EXCERPT_CHARS + 1));
  });
});
