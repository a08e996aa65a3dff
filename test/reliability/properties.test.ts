import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { checkHar } from '../../src/engine/check-har';
import { evaluate } from '../../src/engine/evaluate';
import { HarInvalidError } from '../../src/errors';
import { readHar } from '../../src/har/read';
import { loadProfile, vendorIds } from '../../src/profile/load';
import type { Exchange, Outcome } from '../../src/types';
import { Redactor } from '../../src/util/redact';
import { renderJson } from '../../reporters/json';
import { renderJunit } from '../../reporters/junit';

const OUTCOMES: Outcome[] = ['pass', 'fail', 'warn', 'skip', 'error'];
const profiles = vendorIds().map((id) => loadProfile(id));

/** Keys error envelopes of the built-in vendors use, so random bodies reach deep into the checks. */
const ENVELOPE_KEYS = ['error', 'message', 'status', 'code', 'type', 'title', 'detail', 'errors', 'issue', 'resourceType', 'severity', 'details', 'coding', 'system', 'diagnostics', 'error_description', 'instance'];
const codesOf = (): string[] => profiles.flatMap((p) => p.codes());

/** An envelope-shaped object: known keys (and known codes) with arbitrary JSON values, nested. */
const envelopeLike: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(...codesOf(), 'OperationOutcome', 'error', 'fatal', 'invalid', 'not-found'),
    fc.dictionary(fc.constantFrom(...ENVELOPE_KEYS), tie('node'), { maxKeys: 6 }),
    fc.array(tie('node'), { maxLength: 3 }),
  ),
})).node;

const body: fc.Arbitrary<string> = fc.oneof(
  envelopeLike.map((v) => JSON.stringify(v) ?? ''),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => new TextDecoder('utf-8', { fatal: false }).decode(bytes)),
  fc.constantFrom('', ' ', 'null', '[]', '{}', '<html><body>502 Bad Gateway</body></html>', '{"error":', '\u0000\uffff\ud800'),
);

const headerName = fc.oneof(
  fc.constantFrom('content-type', 'retry-after', 'www-authenticate', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'ratelimit-reset', 'x-request-id', 'date', 'location'),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const headerValue = fc.oneof(
  fc.constantFrom('application/json', 'application/fhir+json; charset=utf-8', 'application/problem+json', 'text/html', '', '30', '-1', 'Wed, 21 Oct 2015 07:28:00 GMT', 'soon'),
  fc.string({ unit: 'binary', maxLength: 60 }),
);
const headers = fc.dictionary(headerName.map((n) => n.toLowerCase()), headerValue, { maxKeys: 6 });
const status = fc.oneof(fc.constantFrom(200, 204, 301, 400, 401, 403, 404, 409, 422, 429, 500, 503), fc.integer({ min: 0, max: 999 }), fc.integer());

const exchange: fc.Arbitrary<Exchange> = fc.record({
  status,
  headers,
  body,
  truncated: fc.boolean(),
  expected: fc.option(fc.array(fc.constantFrom(400, 401, 403, 404, 409, 422, 429, 500), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  codes: fc.option(fc.array(fc.oneof(fc.constantFrom(...codesOf()), fc.string()), { maxLength: 2 }), { nil: undefined }),
  transportError: fc.option(fc.record({ code: fc.string(), message: fc.string() }), { freq: 8, nil: undefined }),
}).map((r) => ({
  id: 'property',
  entry: null,
  request: { method: 'GET', url: 'http://127.0.0.1:1/p', headers: {} },
  ...(r.transportError ? { transportError: r.transportError } : { response: { status: r.status, headers: r.headers, body: r.body, ...(r.truncated ? { truncated: true } : {}) } }),
  ...(r.expected ? { expectedStatuses: r.expected } : {}),
  ...(r.codes ? { expectedCodes: r.codes } : {}),
}));

describe('evaluate: anything a target sends yields findings, never an exception', () => {
  test.each(profiles.map((p) => [p.id, p] as const))('%s', (_id, profile) => {
    fc.assert(
      fc.property(exchange, fc.boolean(), (ex, strict) => {
        const evaluated = evaluate(profile, ex, { strict, repro: 'curl' });
        expect(Array.isArray(evaluated.findings)).toBe(true);
        for (const f of evaluated.findings) {
          expect(typeof f.check).toBe('string');
          expect(OUTCOMES).toContain(f.outcome);
          expect(typeof f.message).toBe('string');
          // evaluate turns a crashing check into an error finding; a crash is still a bug.
          expect(f.message).not.toMatch(/^check crashed/);
        }
        // ...and the reporters render whatever came back.
        const run = { vendor: profile.id, target: 'http://127.0.0.1:1', source: 'probe' as const, startedAt: new Date(0).toISOString(), durationMs: 1, strict, exchanges: [evaluated] };
        JSON.parse(renderJson([run]));
        expect(renderJunit([run])).toContain('<testsuites');
      }),
      { numRuns: 150 },
    );
  });
});

describe('the HAR reader: any entry is read, skipped or refused with HarInvalidError', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-har-properties-'));
  const odd = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
  const harHeaders = fc.oneof(
    fc.array(fc.record({ name: fc.oneof(fc.constantFrom('Content-Type', 'Authorization', 'Set-Cookie'), fc.string()), value: fc.oneof(fc.string(), odd) }), { maxLength: 4 }),
    fc.array(odd, { maxLength: 3 }),
    odd,
  );
  /** Entries that pass validation (request.method/url, numeric status) with anything in the parts tools disagree on. */
  const readable = fc.record({
    request: fc.record({
      method: fc.constantFrom('GET', 'POST', 'DELETE'),
      url: fc.oneof(fc.constantFrom('https://api.example.test/x?access_token=t0k3n', 'not a url', ''), fc.string()),
      headers: harHeaders,
      postData: fc.oneof(fc.record({ text: fc.oneof(fc.string(), odd), mimeType: odd }, { requiredKeys: [] }), odd),
    }, { requiredKeys: ['method', 'url'] }),
    response: fc.record({
      status,
      headers: harHeaders,
      content: fc.oneof(fc.record({ text: fc.oneof(body, odd), encoding: fc.oneof(fc.constant('base64'), odd), mimeType: fc.oneof(fc.constantFrom('application/json', 'text/html'), odd) }, { requiredKeys: [] }), odd),
    }, { requiredKeys: ['status'] }),
  });
  const entry = fc.oneof({ weight: 9, arbitrary: readable }, { weight: 1, arbitrary: odd });

  test('random entries, every vendor', () => {
    let n = 0;
    let read = 0;
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 4 }), fc.constantFrom(...vendorIds()), (entries, vendor) => {
        const profile = loadProfile(vendor);
        const file = path.join(dir, `entries-${n++}.har`);
        writeFileSync(file, JSON.stringify({ log: { version: '1.2', creator: { name: 'fc', version: '1' }, entries } }));
        try {
          const run = checkHar(profile, file, { redactor: new Redactor() });
          expect(run.exchanges).toHaveLength(entries.length);
          read++;
          expect(JSON.stringify(run)).not.toContain('t0k3n');
        } catch (error) {
          if (!(error instanceof HarInvalidError)) throw error;
          expect(error.message).toContain(file);
        }
      }),
      { numRuns: 300 },
    );
    // Most files are readable: the property is about reading odd entries, not only refusing them.
    expect(read).toBeGreaterThan(150);
  });

  test('random files: JSON or not, HAR or not', () => {
    let n = 0;
    const text = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => JSON.stringify({ log: v })),
      fc.jsonValue().map((v) => JSON.stringify({ log: { entries: v } })),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constantFrom('', '\ufeff{"log":{"entries":[]}}', '{"log":{"entries":[]}} trailing', '{"log":{"entries":[{"request":'),
    );
    fc.assert(
      fc.property(text, (content) => {
        const file = path.join(dir, `file-${n++}.har`);
        writeFileSync(file, content);
        try {
          expect(Array.isArray(readHar(file))).toBe(true);
        } catch (error) {
          if (!(error instanceof HarInvalidError)) throw error;
        }
      }),
      { numRuns: 300 },
    );
  });
});
