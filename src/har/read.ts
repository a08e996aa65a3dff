import { closeSync, openSync, readSync } from 'node:fs';
import type { Entry } from 'har-format';
import { HarInvalidError } from '../errors';
import type { Exchange, HeaderMap } from '../types';
import { mayReveal, secretForms, type Redactor } from '../util/redact';

/** Tuning of the streaming reader; the defaults suit files from kilobytes to gigabytes. */
export interface HarReadOptions {
  /** Bytes read from the file at a time (default 1 MiB). */
  chunkBytes?: number;
  /** Entries are parsed in batches of about this many bytes (default 512 KiB). */
  batchBytes?: number;
  /** The largest single value (an entry, a skipped member) held to be parsed (default 512 MiB, about V8's longest string). */
  maxValueBytes?: number;
}

/** V8's longest string is about 2^29 characters: a value past that could not be parsed anyway. */
const MAX_VALUE_BYTES = 512 << 20;

/** Consecutive entries of `log.entries`, parsed and validated; `first` is the index of `entries[0]`. */
export interface HarBatch {
  first: number;
  entries: Entry[];
}

/** Consecutive entries of `log.entries` as bytes, not parsed yet: what a worker thread is handed. */
export interface RawBatch {
  /** Index of the first entry. */
  first: number;
  /** From the first entry's first byte to the last entry's last byte. */
  bytes: Uint8Array;
  /** File offset of bytes[0], for messages. */
  offset: number;
  /** Where each entry starts and ends in `bytes`. */
  starts: number[];
  ends: number[];
}

const invalidJson = (file: string, what: string, at: number): HarInvalidError =>
  new HarInvalidError(`${file}: not a HAR file: invalid JSON (${what} at byte ${at})`);

const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * A forward-only scanner over a JSON file that holds only the bytes it still needs.
 * It walks the two outer levels (`{"log": {"entries": [...]}}`) token by token and finds where each
 * nested value ends by counting brackets outside strings; JSON.parse then validates and builds every
 * nested value, so the file is exactly as strictly checked as by one JSON.parse of the whole.
 * Offsets outside the inner loops are absolute file offsets.
 */
class JsonScanner {
  private buf: Buffer;
  /** File offset of buf[0]. */
  private base = 0;
  /** Bytes of buf holding file data. */
  private end = 0;
  private eof = false;
  /** Scan position in buf. */
  private pos = 0;
  /** Bytes from this file offset on are kept when the buffer is refilled. */
  retain = 0;

  constructor(private readonly fd: number, private readonly file: string, chunkBytes: number, private readonly maxValueBytes = MAX_VALUE_BYTES) {
    this.buf = Buffer.allocUnsafe(chunkBytes);
  }

  /** The file offset of the scan position. */
  get offset(): number {
    return this.base + this.pos;
  }

  invalid(what: string, at = this.offset): HarInvalidError {
    return invalidJson(this.file, what, at);
  }

  /** Read more of the file; returns how far the buffer moved left (buffer positions shift by that), or -1 at the end of the file. */
  private fill(): number {
    if (this.eof) return -1;
    const shift = Math.max(0, Math.min(this.retain, this.offset) - this.base);
    if (shift > 0) {
      this.buf.copy(this.buf, 0, shift, this.end);
      this.end -= shift;
      this.base += shift;
      this.pos -= shift;
    }
    // A value longer than the buffer (a huge body) grows it: memory is bounded by the largest entry, not the file.
    if (this.end > this.buf.length / 2) {
      // Bounded: `check /dev/zero` or a runaway value ends with a message, not with all the memory.
      if (this.end >= this.maxValueBytes) {
        throw new HarInvalidError(`${this.file}: not a HAR file: a value at byte ${Math.min(this.retain, this.offset)} is longer than ${this.maxValueBytes >= 1 << 20 ? `${Math.round(this.maxValueBytes / 1048576)} MiB` : `${this.maxValueBytes} bytes`}`);
      }
      const grown = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(grown, 0, 0, this.end);
      this.buf = grown;
    }
    let read: number;
    try {
      read = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, null);
    } catch (cause) {
      throw new HarInvalidError(`${this.file}: cannot read: ${(cause as Error).message}`, { cause });
    }
    if (read === 0) {
      this.eof = true;
      return -1;
    }
    this.end += read;
    return shift;
  }

  /** The next byte that is not white space, not consumed; -1 at the end of the file. */
  peek(): number {
    for (;;) {
      while (this.pos < this.end && isSpace(this.buf[this.pos])) this.pos++;
      if (this.pos < this.end) return this.buf[this.pos];
      if (this.fill() < 0) return -1;
    }
  }

  /** Consume the byte peek() returned. */
  advance(): void {
    this.pos++;
  }

  /** A UTF-8 byte order mark, as some proxies write, is not JSON: step over it. */
  skipByteOrderMark(): void {
    if (this.peek() !== 0xef) return;
    while (this.end - this.pos < 3 && this.fill() >= 0);
    if (this.buf[this.pos + 1] === 0xbb && this.buf[this.pos + 2] === 0xbf) this.pos += 3;
  }

  /**
   * Refuse, naming what it is, a file that cannot be a UTF-8 JSON document: UTF-16 or UTF-32 (a byte
   * order mark, or NUL bytes beside the first character) or binary data (a first byte no JSON value starts with).
   */
  assertJsonStart(): void {
    const c = this.peek();
    if (c < 0) return;
    while (this.end - this.pos < 4 && this.fill() >= 0);
    const b = this.buf.subarray(this.pos, Math.min(this.end, this.pos + 4));
    const encoding =
      b[0] === 0xff && b[1] === 0xfe ? (b[2] === 0 && b[3] === 0 ? 'UTF-32LE' : 'UTF-16LE')
      : b[0] === 0xfe && b[1] === 0xff ? 'UTF-16BE'
      : b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff ? 'UTF-32BE'
      : b.length >= 2 && b[0] !== 0 && b[1] === 0 ? (b[2] === 0 ? 'UTF-32LE' : 'UTF-16LE')
      : b.length >= 2 && b[0] === 0 && b[1] !== 0 ? 'UTF-16BE'
      : undefined;
    if (encoding) throw new HarInvalidError(`${this.file}: not a HAR file: it is encoded as ${encoding}; HAR files are UTF-8 (re-save it as UTF-8, e.g. iconv -f ${encoding} -t UTF-8)`);
    // A JSON value starts with one of {["-0123456789tfn.
    if (!(c === OPEN_BRACE || c === OPEN_BRACKET || c === QUOTE || c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e)) {
      const shown = c >= 0x20 && c < 0x7f ? ` "${String.fromCharCode(c)}"` : ', binary data?';
      throw new HarInvalidError(`${this.file}: not a HAR file: invalid JSON (it starts with byte 0x${c.toString(16).padStart(2, '0')}${shown}; a HAR starts with "{")`);
    }
  }

  expect(byte: number, what: string): void {
    const c = this.peek();
    if (c !== byte) throw this.invalid(c < 0 ? `unexpected end of file, expected ${what}` : `expected ${what}`);
    this.pos++;
  }

  /**
   * Find the end of the value at the scan position and return the file offset it starts at; the scan
   * position is left after it. Containers end where their brackets balance, strings at the closing
   * quote, literals at the next delimiter. Validity is JSON.parse's business, later.
   */
  skipValue(): number {
    const first = this.peek();
    if (first < 0) throw this.invalid('unexpected end of file, expected a value');
    const startOffset = this.offset;
    if (this.retain > startOffset) this.retain = startOffset;
    const literal = first !== OPEN_BRACE && first !== OPEN_BRACKET && first !== QUOTE;
    let i = this.pos;
    let depth = 0;
    let inString = false;
    for (;;) {
      const buf = this.buf;
      const end = this.end;
      let done = false;
      if (literal) {
        while (i < end) {
          const c = buf[i];
          if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) break;
          i++;
        }
        done = i < end;
      } else {
        while (i < end) {
          const c = buf[i];
          if (inString) {
            if (c === BACKSLASH) {
              // The escaped byte may be in the next read: stop at the backslash and scan it again then.
              if (i + 1 >= end) break;
              i += 2;
              continue;
            }
            i++;
            if (c === QUOTE) {
              inString = false;
              if (depth === 0) {
                done = true;
                break;
              }
            }
            continue;
          }
          i++;
          if (c === QUOTE) inString = true;
          else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
          else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
            done = true;
            break;
          }
        }
      }
      if (done) break;
      this.pos = i;
      const shift = this.fill();
      if (shift < 0) {
        if (literal) break;
        throw this.invalid('unexpected end of file inside a value', startOffset);
      }
      i -= shift;
    }
    this.pos = i;
    return startOffset;
  }

  /** The file's bytes [from, to), decoded as UTF-8; both must still be in the buffer (retained). */
  text(from: number, to: number): string {
    return this.buf.toString('utf8', from - this.base, to - this.base);
  }

  /** The file's bytes [from, to), not copied: valid until the scanner reads on. */
  view(from: number, to: number): Buffer {
    return this.buf.subarray(from - this.base, to - this.base);
  }

  /** JSON.parse of the file's bytes [from, to), with a message that names the offset. */
  parse(from: number, to: number): unknown {
    try {
      return JSON.parse(this.text(from, to));
    } catch (cause) {
      throw new HarInvalidError(`${this.file}: not a HAR file: invalid JSON (${(cause as Error).message}; value at byte ${from})`, { cause });
    }
  }

  /** The key of the next object member (after `{` or `,`); undefined when the object closes here. */
  memberKey(afterComma: boolean): string | undefined {
    this.retain = this.offset;
    const c = this.peek();
    if (c === CLOSE_BRACE && !afterComma) {
      this.pos++;
      return undefined;
    }
    if (c !== QUOTE) throw this.invalid(c < 0 ? 'unexpected end of file, expected a key' : 'expected a key');
    const start = this.skipValue();
    const key = this.parse(start, this.offset) as string;
    this.expect(COLON, '":"');
    this.retain = this.offset;
    return key;
  }

  /** After a member's value: `,` (another member follows: true) or `}` (false). */
  memberEnd(): boolean {
    const c = this.peek();
    if (c === COMMA || c === CLOSE_BRACE) {
      this.pos++;
      return c === COMMA;
    }
    throw this.invalid(c < 0 ? 'unexpected end of file, expected "," or "}"' : 'expected "," or "}" after a value');
  }

  /** Skip a value nobody reads (pages, creator, ...), still validating it. */
  skipAndValidate(): void {
    const start = this.skipValue();
    this.parse(start, this.offset);
    this.retain = this.offset;
  }
}

/** The members of the object at the scan position, key by key; the caller consumes each value. */
function* members(scanner: JsonScanner): Generator<string> {
  scanner.expect(OPEN_BRACE, '"{"');
  for (let key = scanner.memberKey(false); key !== undefined; key = scanner.memberEnd() ? scanner.memberKey(true) : undefined) yield key;
}

/**
 * Stream the entries of a HAR 1.2 file in batches, each validated, without reading the file whole:
 * memory holds one batch and the largest entry, whatever the file size. Throws HarInvalidError naming
 * the file and what is wrong as soon as it is found, so a consumer may have seen earlier batches.
 */
export function* harBatches(file: string, options: HarReadOptions = {}): Generator<HarBatch> {
  for (const raw of harRawBatches(file, options)) yield { first: raw.first, entries: parseRawBatch(file, raw) };
}

/**
 * The batches of harBatches, not parsed: the file's structure is checked here and each entry's JSON
 * by parseRawBatch. A batch's bytes are the scanner's own: valid until the next batch is asked for.
 */
export function* harRawBatches(file: string, options: HarReadOptions = {}): Generator<RawBatch> {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (cause) {
    throw new HarInvalidError(`${file}: cannot read: ${(cause as Error).message}`, { cause });
  }
  try {
    const scanner = new JsonScanner(fd, file, options.chunkBytes ?? 1 << 20, options.maxValueBytes);
    const batchBytes = options.batchBytes ?? 1 << 19;
    scanner.skipByteOrderMark();
    scanner.assertJsonStart();
    let entriesSeen = false;
    if (scanner.peek() !== OPEN_BRACE) {
      // Valid JSON that is not an object is still no HAR: validate it to say which.
      scanner.skipAndValidate();
    } else {
      let logSeen = false;
      for (const key of members(scanner)) {
        if (key !== 'log' || scanner.peek() !== OPEN_BRACE) {
          scanner.skipAndValidate();
          continue;
        }
        // JSON.parse would keep the last of two "log" members; a stream cannot go back: refuse the ambiguity.
        if (logSeen) throw new HarInvalidError(`${file}: not a HAR file: "log" appears twice`);
        logSeen = true;
        for (const logKey of members(scanner)) {
          if (logKey !== 'entries' || scanner.peek() !== OPEN_BRACKET) {
            scanner.skipAndValidate();
            continue;
          }
          if (entriesSeen) throw new HarInvalidError(`${file}: not a HAR file: "log.entries" appears twice`);
          entriesSeen = true;
          yield* entryBatches(scanner, batchBytes);
        }
      }
    }
    if (scanner.peek() >= 0) throw scanner.invalid('unexpected content after the end of the document');
    if (!entriesSeen) throw new HarInvalidError(`${file}: not a HAR file: log.entries is missing or not an array`);
  } finally {
    closeSync(fd);
  }
}

/** The elements of the array at the scan position, a batch at a time: one JSON.parse per batch is cheaper than one per entry. */
function* entryBatches(scanner: JsonScanner, batchBytes: number): Generator<RawBatch> {
  scanner.expect(OPEN_BRACKET, '"["');
  if (scanner.peek() === CLOSE_BRACKET) {
    scanner.advance();
    return;
  }
  let first = 0;
  for (let more = true; more; ) {
    // File offsets where each entry of the batch starts and ends.
    const starts: number[] = [];
    const ends: number[] = [];
    scanner.retain = scanner.offset;
    do {
      starts.push(scanner.skipValue());
      ends.push(scanner.offset);
      const c = scanner.peek();
      if (c !== COMMA && c !== CLOSE_BRACKET) throw scanner.invalid(c < 0 ? 'unexpected end of file inside log.entries' : 'expected "," or "]" after an entry');
      scanner.advance();
      more = c === COMMA;
    } while (more && ends[ends.length - 1] - starts[0] < batchBytes);
    const offset = starts[0];
    yield { first, bytes: scanner.view(offset, ends[ends.length - 1]), offset, starts: starts.map((at) => at - offset), ends: ends.map((at) => at - offset) };
    first += starts.length;
  }
  scanner.retain = scanner.offset;
}

/** Parse and validate the entries of a raw batch; throws HarInvalidError naming the entry at fault. */
export function parseRawBatch(file: string, batch: RawBatch): Entry[] {
  const { bytes, starts, ends, first, offset } = batch;
  const text = (from: number, to: number): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8', from, to);
  let entries: unknown[];
  try {
    entries = JSON.parse(`[${text(0, bytes.length)}]`) as unknown[];
  } catch {
    // Parse entry by entry to name the one at fault.
    for (let i = 0; i < starts.length; i++) {
      try {
        JSON.parse(text(starts[i], ends[i]));
      } catch (cause) {
        throw new HarInvalidError(`${file}: not a HAR file: invalid JSON in entry ${first + i} (${(cause as Error).message}; entry at byte ${offset + starts[i]})`, { cause });
      }
    }
    throw invalidJson(file, 'entries do not form an array', offset);
  }
  // Brackets and JSON.parse disagree only on input like `1 2` inside one element: invalid either way.
  if (entries.length !== starts.length) throw invalidJson(file, 'an entry is not a single JSON value', offset);
  for (let i = 0; i < entries.length; i++) validateEntry(file, entries[i], first + i);
  return entries as Entry[];
}

/** Every entry of a HAR 1.2 file, streamed. */
export function* harEntries(file: string, options?: HarReadOptions): Generator<Entry> {
  for (const batch of harBatches(file, options)) yield* batch.entries;
}

/** Read a HAR 1.2 file's entries into memory; throws HarInvalidError naming the file and what is wrong. */
export function readHar(file: string): Entry[] {
  return [...harEntries(file)];
}

export function validateEntry(file: string, entry: unknown, index: number): void {
  const e = entry as Partial<Entry> | null;
  const problem =
    !e || typeof e !== 'object' || Array.isArray(e) ? 'is not an object'
    : !e.request || typeof e.request.method !== 'string' || typeof e.request.url !== 'string' ? 'has no request.method and request.url'
    : !e.response || typeof e.response.status !== 'number' ? 'has no numeric response.status'
    : undefined;
  if (problem) throw new HarInvalidError(`${file}: entry ${index} ${problem}`);
}

/** Learned credential sets remembered at once (most captures repeat one or a few). */
const MEMO_LIMIT = 1_000;
/** Values remembered per header name: a header unique to each request (x-request-id, a session cookie) stops being remembered, the rest stay. */
const VALUES_PER_NAME = 256;

/** The credentials one request carried: a redactor of them alone (to ask whether a text may hold one), and the run's redactor plus them. */
interface Learned {
  secrets: string[];
  /** secretForms(secrets). */
  forms: string[];
  full?: Redactor;
}

/** HAR entries as exchanges, secrets redacted at capture. HAR timings are not exchanges' business. */
export class HarCapture {
  /** Redacted header pairs of the run's redactor by name and value: nested maps, so a lookup builds no key string. */
  private readonly pairs = new Map<string, Map<string, [string, string]>>();
  /** Each distinct set of request credentials, so a response echoing its request's token is redacted. */
  private readonly learned = new Map<string, Learned>();

  constructor(private readonly redactor: Redactor) {}

  exchange(entry: Entry, index: number): Exchange {
    // Tools disagree on the optional parts: what is not the HAR shape (a numeric text, headers as an object) is left out.
    const content = entry.response.content as Partial<Entry['response']['content']> | null | undefined;
    let body = typeof content?.text === 'string' ? content.text : '';
    if (content?.encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
    const responseHeaders = joinHeaders(entry.response.headers);
    if (typeof content?.mimeType === 'string' && content.mimeType && responseHeaders['content-type'] === undefined) responseHeaders['content-type'] = content.mimeType;
    const postData = typeof entry.request.postData?.text === 'string' ? entry.request.postData.text : undefined;
    const requestHeaders = joinHeaders(entry.request.headers);
    const learned = this.learnedFrom(requestHeaders, { url: entry.request.url, body: postData });
    // A text that holds none of this request's own credentials is redacted by the run's redactor: the same result, without
    // building a redactor per request. One that may hold one gets the run's redactor plus them.
    const redactorOf = (text: string): Redactor => (learned && mayReveal(learned.forms, text) ? (learned.full ??= this.redactor.with(learned.secrets)) : this.redactor);
    return {
      id: `entry-${index}`,
      entry: index,
      request: {
        method: entry.request.method,
        url: redactorOf(entry.request.url).text(entry.request.url),
        headers: this.redactHeaders(requestHeaders, redactorOf),
        body: postData === undefined ? undefined : redactorOf(postData).text(postData),
      },
      response: { status: entry.response.status, headers: this.redactHeaders(responseHeaders, redactorOf), body: redactorOf(body).text(body) },
    };
  }

  private learnedFrom(requestHeaders: HeaderMap, request: { url?: string; body?: string }): Learned | undefined {
    const found = this.redactor.credentialsIn(requestHeaders, request);
    if (found.length === 0) return undefined;
    const key = found.join('\n');
    let learned = this.learned.get(key);
    if (!learned) {
      learned = { secrets: found, forms: secretForms(found) };
      if (this.learned.size >= MEMO_LIMIT) this.learned.clear();
      this.learned.set(key, learned);
    }
    return learned;
  }

  /** Redactor.headerMap, pair by pair; the run's redactor's results are remembered. */
  private redactHeaders(headers: HeaderMap, redactorOf: (text: string) => Redactor): HeaderMap {
    const out: HeaderMap = {};
    for (const name in headers) {
      const value = headers[name];
      // A secret header's value is replaced whole by any redactor (Authorization keeps its scheme): only its name can differ.
      const redactor = redactorOf(this.redactor.isSecretHeader(name) ? name : `${name}\n${value}`);
      if (redactor !== this.redactor) {
        const one = redactor.headerMap({ [name]: value });
        for (const k in one) out[k] = one[k];
        continue;
      }
      let byValue = this.pairs.get(name);
      if (!byValue) this.pairs.set(name, (byValue = new Map()));
      let pair = byValue.get(value);
      if (!pair) {
        const one = redactor.headerMap({ [name]: value });
        const redactedName = Object.keys(one)[0];
        pair = [redactedName, one[redactedName]];
        if (byValue.size < VALUES_PER_NAME) byValue.set(value, pair);
      }
      out[pair[0]] = pair[1];
    }
    return out;
  }
}

/** Names lower-cased; a repeated header's values joined with ", "; what is not a {name, value} pair is skipped. */
function joinHeaders(headers: unknown): HeaderMap {
  const map: HeaderMap = {};
  for (const h of Array.isArray(headers) ? (headers as { name?: unknown; value?: unknown }[]) : []) {
    if (!h || typeof h !== 'object' || typeof h.name !== 'string' || h.value === undefined || h.value === null) continue;
    const name = h.name.toLowerCase();
    map[name] = map[name] === undefined ? String(h.value) : `${map[name]}, ${h.value}`;
  }
  return map;
}

/** One HAR entry as an exchange; secrets redacted at capture. */
export function exchangeFromEntry(entry: Entry, index: number, redactor: Redactor): Exchange {
  return new HarCapture(redactor).exchange(entry, index);
}
