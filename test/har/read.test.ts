import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { HarCapture, harBatches, readHar } from '../../src/har/read';
import { HarInvalidError } from '../../src/errors';
import { Redactor } from '../../src/util/redact';

let tmp: string;
let n = 0;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'errspec-har-read-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function fileWith(text: string | Buffer): string {
  const file = path.join(tmp, `${n++}.har`);
  writeFileSync(file, text);
  return file;
}

const entry = (i: number, extra: Record<string, unknown> = {}) => ({
  startedDateTime: '2026-11-22T15:00:00.000Z',
  request: { method: 'GET', url: `https://api.example/p/${i}`, headers: [{ name: 'Accept', value: 'application/json' }] },
  response: { status: 400 + (i % 100), headers: [], content: { mimeType: 'application/json', text: JSON.stringify({ error: `e${i}`, note: '{[\\"]}' }) } },
  ...extra,
});

/** Every way of cutting the file into reads and batches yields what one JSON.parse yields. */
function readWith(file: string, chunkBytes: number, batchBytes: number): { first: number; entries: unknown[] }[] {
  return [...harBatches(file, { chunkBytes, batchBytes })];
}

function invalid(file: string, options = {}): string {
  try {
    for (const _batch of harBatches(file, options));
  } catch (error) {
    expect(error).toBeInstanceOf(HarInvalidError);
    return (error as Error).message;
  }
  throw new Error(`${file} was read as valid`);
}

describe('harBatches streams log.entries', () => {
  test('the entries of a pretty-printed HAR, in order, across reads and batches', () => {
    const entries = Array.from({ length: 40 }, (_v, i) => entry(i));
    const file = fileWith(JSON.stringify({ log: { version: '1.2', creator: { name: 't', version: '1' }, pages: [], entries } }, null, 2));
    for (const [chunk, batch] of [[16, 1], [64, 200], [1 << 20, 1 << 19], [37, 1000]]) {
      const batches = readWith(file, chunk, batch);
      expect(batches.flatMap((b) => b.entries)).toEqual(entries);
      let expected = 0;
      for (const b of batches) {
        expect(b.first).toBe(expected);
        expected += b.entries.length;
      }
    }
    expect(readHar(file)).toEqual(entries);
  });

  test('entries after other log members, members after entries, and other root members', () => {
    const entries = [entry(1), entry(2)];
    const text = `{"x": [1, {"y": "]}"}], "log": {"entries": ${JSON.stringify(entries)}, "pages": [{"id": "p"}], "comment": "a \\" b"}, "z": null}`;
    expect(readWith(fileWith(text), 8, 1).flatMap((b) => b.entries)).toEqual(entries);
  });

  test('an empty entries array yields nothing', () => {
    expect(readWith(fileWith('{"log":{"entries":[ ]}}'), 4, 4)).toEqual([]);
  });

  test('a UTF-8 byte order mark and multi-byte text split across reads', () => {
    const entries = [entry(1, { comment: 'Überweisung — 患者 🩺' }), entry(2, { comment: '\\u00e9 "quoted" \\\\' })];
    const text = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ log: { entries } }))]);
    for (const chunk of [3, 5, 7, 64]) expect(readWith(fileWith(text), chunk, 1).flatMap((b) => b.entries)).toEqual(entries);
  });

  test('an entry larger than the read buffer', () => {
    const big = entry(1, { comment: 'x'.repeat(100_000) });
    expect(readWith(fileWith(JSON.stringify({ log: { entries: [big, entry(2)] } })), 1024, 10).flatMap((b) => b.entries)).toEqual([big, entry(2)]);
  });

  test('property: any HAR-shaped JSON reads as JSON.parse reads it', () => {
    const strings = fc.string({ unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', 'é', '🩺') });
    const value = fc.jsonValue({ maxDepth: 3 });
    const anEntry = fc.record({
      request: fc.record({ method: fc.constantFrom('GET', 'POST'), url: strings }),
      response: fc.record({ status: fc.integer({ min: 100, max: 599 }), content: fc.record({ text: strings }) }),
      extra: value,
    });
    fc.assert(
      fc.property(fc.array(anEntry, { maxLength: 6 }), value, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), (entries, other, indent, chunk, batch) => {
        const file = fileWith(JSON.stringify({ before: other, log: { other, entries }, after: other }, null, indent));
        expect(readWith(file, chunk, batch).flatMap((b) => b.entries)).toEqual(JSON.parse(JSON.stringify(entries)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('harBatches refuses what is not a HAR, naming the file', () => {
  const cases: [string, string, RegExp][] = [
    ['truncated inside entries', '{"log": {"entries": [{"request": {', /invalid JSON/],
    ['truncated after an entry', `{"log": {"entries": [${JSON.stringify(entry(1))}`, /invalid JSON/],
    ['a broken entry', `{"log": {"entries": [${JSON.stringify(entry(1))}, {"request": tru}]}}`, /invalid JSON in entry 1/],
    ['garbage after the document', '{"log": {"entries": []}} x', /invalid JSON \(unexpected content after the end/],
    ['a broken value elsewhere', '{"log": {"pages": [1,], "entries": []}}', /invalid JSON/],
    ['a trailing comma in log', '{"log": {"entries": [],}}', /invalid JSON \(expected a key/],
    ['a missing colon', '{"log" {"entries": []}}', /invalid JSON \(expected ":"/],
    ['no entries', '{"log": {"version": "1.2"}}', /log\.entries is missing or not an array/],
    ['entries not an array', '{"log": {"entries": {}}}', /log\.entries is missing or not an array/],
    ['log not an object', '{"log": 5}', /log\.entries is missing or not an array/],
    ['an array at the root', '[{"log": {"entries": []}}]', /log\.entries is missing or not an array/],
    ['an empty file', '', /invalid JSON \(unexpected end of file/],
    ['entries twice', '{"log": {"entries": [], "entries": []}}', /"log\.entries" appears twice/],
  ];
  test.each(cases)('%s', (_name, text, message) => {
    const file = fileWith(text);
    for (const chunk of [3, 1 << 20]) {
      const got = invalid(file, { chunkBytes: chunk, batchBytes: 1 });
      expect(got).toMatch(message);
      expect(got.startsWith(`${file}: `)).toBe(true);
    }
  });

  test('an entry without a request or a numeric status', () => {
    expect(invalid(fileWith(JSON.stringify({ log: { entries: [entry(0), { request: { method: 'GET' } }] } })))).toMatch(/entry 1 has no request\.method and request\.url/);
    expect(invalid(fileWith(JSON.stringify({ log: { entries: [{ request: { method: 'GET', url: '/' }, response: { status: '404' } }] } })))).toMatch(/entry 0 has no numeric response\.status/);
    expect(invalid(fileWith('{"log": {"entries": [null]}}'))).toMatch(/entry 0 is not an object/);
  });

  test('a file that cannot be read', () => {
    expect(invalid(path.join(tmp, 'missing.har'))).toMatch(/cannot read/);
  });
});

describe('HarCapture', () => {
  test('redacts like Redactor.headerMap and text, remembering repeated header pairs', () => {
    const redactor = new Redactor(['s3cret-value']);
    const capture = new HarCapture(redactor);
    const raw = {
      request: {
        method: 'POST',
        url: 'https://u:p@api.example/x?access_token=abc',
        headers: [{ name: 'Authorization', value: 'Bearer s3cret-value' }, { name: 'X-Trace', value: 'a' }, { name: 'x-trace', value: 'b' }],
        postData: { mimeType: 'application/json', text: '{"client_secret": "zzz"}' },
      },
      response: { status: 401, headers: [{ name: 'Set-Cookie', value: 'sid=1' }], content: { mimeType: 'application/json', text: Buffer.from('{"echo": "s3cret-value"}').toString('base64'), encoding: 'base64' } },
    };
    for (let i = 0; i < 3; i++) {
      const exchange = capture.exchange(raw as never, i);
      expect(exchange.id).toBe(`entry-${i}`);
      expect(exchange.request.headers).toEqual(redactor.headerMap({ authorization: 'Bearer s3cret-value', 'x-trace': 'a, b' }));
      expect(exchange.request.url).toBe(redactor.text(raw.request.url));
      expect(exchange.request.body).toBe(redactor.text(raw.request.postData.text));
      expect(exchange.response!.headers).toEqual(redactor.headerMap({ 'set-cookie': 'sid=1', 'content-type': 'application/json' }));
      expect(exchange.response!.body).toBe(redactor.text('{"echo": "s3cret-value"}'));
      expect(JSON.stringify(exchange)).not.toContain('s3cret-value');
    }
  });
});
