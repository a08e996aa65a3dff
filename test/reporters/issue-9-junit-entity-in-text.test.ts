import { renderJunit } from '../../reporters/junit';
import type { VendorRun } from '../../src/types';
import { validateJunit } from '../helpers/junit-xsd';

/** Found by the streamed JUnit writer's equality property: xmlbuilder2 wrote `&nbsp;` from a message as an entity reference. */
test('text that looks like an entity reference stays text: the file is XML', async () => {
  const quoted = 'invalid JSON: Unexpected token \'<\', "<html>&nbsp;&copy;&#65;&#x41;</html>" is not valid JSON';
  const run: VendorRun = {
    vendor: 'opescare&amp;', target: 'http://h/?a=1&b;', source: 'har', startedAt: '2026-11-22T15:00:00.000Z', durationMs: 5, strict: false,
    unreachable: 'not &there;',
    exchanges: [{
      id: 'entry-&x;', entry: 0, request: { method: 'GET', url: 'http://h/&y;', headers: {} }, response: { status: 502, headers: {}, body: '' }, ok: false,
      findings: [
        { check: 'json-body', outcome: 'fail', message: quoted, actual: '&nbsp;' },
        { check: 'media-type', outcome: 'warn', message: '&lt;' },
        { check: 'known-code', outcome: 'skip', message: '&#65;' },
      ],
    }],
  };
  const xml = renderJunit([run]);
  expect(xml).not.toMatch(/&(nbsp|copy|there|x|y|b);/);
  expect(xml).toContain('&amp;nbsp;&amp;copy;&amp;#65;&amp;#x41;');
  expect(xml).toContain('name="opescare&amp;amp;"');
  const result = await validateJunit(xml);
  expect(result.errors).toEqual([]);
  expect(result.valid).toBe(true);
});
