import zlib from 'node:zlib';

/**
 * Content codings (RFC 9110 §8.4) undone for checking, in one place: the probes (which ask for identity
 * and may get a coding anyway) and the proxy (which forwards bytes untouched and checks a decoded copy).
 */
export interface DecodedBody {
  text: string;
  /** The copy or its decoded form reached the cap. */
  truncated: boolean;
  /** Why the body could not be decoded, when it could not. */
  problem?: string;
}

type Decoder = () => zlib.Gunzip | zlib.Inflate | zlib.InflateRaw | zlib.BrotliDecompress;

// Sync flush: a copy cut at the cap still yields what it holds instead of "unexpected end of file".
const DECODERS: Record<string, Decoder[]> = {
  gzip: [() => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })],
  'x-gzip': [() => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH })],
  // RFC 9110 deflate is zlib-wrapped; some servers send it raw.
  deflate: [() => zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }), () => zlib.createInflateRaw({ finishFlush: zlib.constants.Z_SYNC_FLUSH })],
  br: [() => zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH })],
};

/**
 * The copy as text for the checks: content codings undone in reverse order, each output capped, so a
 * small compressed body that inflates to gigabytes (a gzip bomb) costs at most `cap` bytes.
 */
export async function decodeBody(copy: Buffer, cut: boolean, contentEncoding: string | undefined, cap: number): Promise<DecodedBody> {
  const codings = (contentEncoding ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  let bytes = copy;
  let truncated = cut;
  for (const coding of codings.reverse()) {
    const decoders = DECODERS[coding];
    if (!decoders) return { text: utf8(bytes), truncated, problem: `content-encoding ${coding} cannot be decoded for checking` };
    let decoded: { out: Buffer; capped: boolean } | undefined;
    let lastError: Error | undefined;
    for (const make of decoders) {
      try {
        decoded = await inflateCapped(bytes, make, cap);
        break;
      } catch (error) {
        lastError = error as Error;
      }
    }
    if (!decoded) return { text: utf8(bytes), truncated, problem: `content-encoding ${coding}: ${lastError?.message ?? 'cannot decode'}` };
    bytes = decoded.out;
    truncated = truncated || decoded.capped;
  }
  return { text: utf8(bytes), truncated };
}

const utf8 = (bytes: Buffer): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

function inflateCapped(input: Buffer, make: Decoder, cap: number): Promise<{ out: Buffer; capped: boolean }> {
  return new Promise((resolve, reject) => {
    const stream = make();
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (capped: boolean): void => {
      if (settled) return;
      settled = true;
      resolve({ out: Buffer.concat(chunks), capped });
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      const room = cap - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size = cap;
        // Stop inflating at once: nothing past the cap is ever produced.
        stream.destroy();
        finish(true);
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => finish(false));
    stream.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
    stream.end(input);
  });
}
