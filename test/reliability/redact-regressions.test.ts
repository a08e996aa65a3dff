import { Redactor, REDACTED } from '../../src/util/redact';

/** Leaks the canary matrix (canary-matrix.test.ts) found, each pinned in the redactor. */
describe('issue 14 canary matrix: leaks found and fixed in the redactor', () => {
  const user = 'cnry+bsuser9f31c2a0';
  const password = 'cnry+bspass77e0d41b/Zq9=';

  test('basic-wrapped echo: a secret inside a longer base64 text (base64 of user:password, at any byte alignment) is redacted', () => {
    const redactor = new Redactor([user, password]);
    for (const prefix of ['', 'a', 'ab', 'errspec:']) {
      for (const wrapped of [`${prefix}${user}:${password}`, `${prefix}${password}`]) {
        const encoded = Buffer.from(wrapped).toString('base64');
        const shown = redactor.text(`you sent Basic ${encoded}`);
        expect(shown).toContain(REDACTED);
        expect(Buffer.from(shown.slice('you sent Basic '.length).replace(/\[REDACTED\]/g, ''), 'base64').toString('latin1')).not.toMatch(/bsuser9f31|bspass77e0/);
      }
    }
  });

  test('basic-wrapped echo: Basic learned from a captured request covers the pair re-encoded without form-encoding', () => {
    const header = `Basic ${Buffer.from(`${encodeURIComponent(user)}:${encodeURIComponent(password)}`).toString('base64')}`;
    const redactor = new Redactor().learnFrom({ authorization: header });
    const reencoded = Buffer.from(`${user}:${password}`).toString('base64');
    expect(redactor.text(reencoded)).not.toContain(reencoded.slice(4, 24));
  });

  test('json-unicode echo of a base64 form: every character \\u-escaped is redacted before a reader decodes it', () => {
    const redactor = new Redactor([password]);
    const base64 = Buffer.from(password).toString('base64');
    const escaped = [...base64].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const shown = redactor.text(`{"echo":"${escaped}"}`);
    expect(JSON.stringify(JSON.parse(shown))).not.toContain(base64);
    expect(shown).toBe(`{"echo":"${REDACTED}"}`);
  });

  test('client_id in a captured form body (check, proxy) is learned as a secret', () => {
    const id = 'cnry+Client!c11e9d0a/Zq9=';
    const redactor = new Redactor().learnFrom({ 'content-type': 'application/x-www-form-urlencoded' }, { body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id }).toString() });
    expect(redactor.text(`client ${id} and ${encodeURIComponent(id)} refused`)).toBe(`client ${REDACTED} and ${REDACTED} refused`);
  });

  test('ordinary base64 text without a secret is left alone', () => {
    const redactor = new Redactor([password]);
    const text = Buffer.from('an ordinary payload of no interest at all').toString('base64');
    expect(redactor.text(text)).toBe(text);
  });
});
