import zlib from 'node:zlib';
import { BodyCopy, decodeBody } from '../../src/proxy/body-copy';

const text = JSON.stringify({ error: 'patient_not_found', message: 'No patient.', status: 404 });

describe('the copy of an error body the proxy checks', () => {
  test('keeps at most its cap and says when it was cut', () => {
    const copy = new BodyCopy(10);
    copy.add(Buffer.from('12345'));
    copy.add(Buffer.from('67890abc'));
    copy.add(Buffer.from('more'));
    expect(copy.bytes().toString()).toBe('1234567890');
    expect(copy.truncated).toBe(true);
  });

  test.each([
    ['gzip', zlib.gzipSync(text)],
    ['x-gzip', zlib.gzipSync(text)],
    ['deflate', zlib.deflateSync(text)],
    ['deflate', zlib.deflateRawSync(text)],
    ['br', zlib.brotliCompressSync(text)],
    ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(text))],
    ['identity', Buffer.from(text)],
  ])('content-encoding %s is undone for checking', async (encoding, bytes) => {
    expect(await decodeBody(bytes, false, encoding, 1_048_576)).toEqual({ text, truncated: false });
  });

  test('a gzip bomb inflates only to the cap', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024, 0x20));
    const decoded = await decodeBody(bomb, false, 'gzip', 65_536);
    expect(decoded.truncated).toBe(true);
    expect(decoded.text.length).toBe(65_536);
  });

  test('a compressed copy cut at the cap still yields what it holds', async () => {
    const whole = zlib.gzipSync(Buffer.from(text.repeat(50)));
    const decoded = await decodeBody(whole.subarray(0, Math.floor(whole.length / 2)), true, 'gzip', 1_048_576);
    expect(decoded.truncated).toBe(true);
    expect(text.repeat(50).startsWith(decoded.text)).toBe(true);
  });

  test('an unknown or broken coding is reported, and the bytes are kept as text', async () => {
    expect((await decodeBody(Buffer.from('abc'), false, 'zstd', 100)).problem).toContain('zstd');
    expect((await decodeBody(Buffer.from('not gzip at all'), false, 'gzip', 100)).problem).toContain('gzip');
  });
});
