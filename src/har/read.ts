import { readFileSync } from 'node:fs';
import type { Entry, Har } from 'har-format';
import { HarInvalidError } from '../errors';
import type { Exchange, HeaderMap } from '../types';
import type { Redactor } from '../util/redact';

/** Read a HAR 1.2 file; throws HarInvalidError naming the file and what is wrong. */
export function readHar(file: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new HarInvalidError(`${file}: cannot read: ${(cause as Error).message}`, { cause });
  }
  let har: Har;
  try {
    har = JSON.parse(text) as Har;
  } catch (cause) {
    throw new HarInvalidError(`${file}: not a HAR file: invalid JSON (${(cause as Error).message})`, { cause });
  }
  const entries = (har as { log?: { entries?: unknown } })?.log?.entries;
  if (!Array.isArray(entries)) throw new HarInvalidError(`${file}: not a HAR file: log.entries is missing or not an array`);
  entries.forEach((entry, index) => validateEntry(file, entry, index));
  return entries as Entry[];
}

export function validateEntry(file: string, entry: unknown, index: number): void {
  const e = entry as Partial<Entry> | null;
  const problem =
    !e || typeof e !== 'object' ? 'is not an object'
    : !e.request || typeof e.request.method !== 'string' || typeof e.request.url !== 'string' ? 'has no request.method and request.url'
    : !e.response || typeof e.response.status !== 'number' ? 'has no numeric response.status'
    : undefined;
  if (problem) throw new HarInvalidError(`${file}: entry ${index} ${problem}`);
}

function headerMap(headers: { name: string; value: string }[] | undefined): HeaderMap {
  const map: HeaderMap = {};
  // HAR files come from many tools: skip what is not a {name, value} pair rather than fail the whole file.
  for (const h of Array.isArray(headers) ? headers : []) {
    if (!h || typeof h !== 'object' || typeof h.name !== 'string' || h.value === undefined || h.value === null) continue;
    const name = h.name.toLowerCase();
    map[name] = map[name] === undefined ? String(h.value) : `${map[name]}, ${h.value}`;
  }
  return map;
}

/** One HAR entry as an exchange; secrets redacted at capture. HAR timings are not exchanges' business. */
export function exchangeFromEntry(entry: Entry, index: number, redactor: Redactor): Exchange {
  const content = entry.response.content as Partial<Entry['response']['content']> | null | undefined;
  let body = typeof content?.text === 'string' ? content.text : '';
  if (content?.encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
  const responseHeaders = headerMap(entry.response.headers);
  if (typeof content?.mimeType === 'string' && content.mimeType && responseHeaders['content-type'] === undefined) responseHeaders['content-type'] = content.mimeType;
  const postData = entry.request.postData?.text;
  return {
    id: `entry-${index}`,
    entry: index,
    request: {
      method: entry.request.method,
      url: redactor.text(entry.request.url),
      headers: redactor.headerMap(headerMap(entry.request.headers)),
      body: typeof postData === 'string' ? redactor.text(postData) : undefined,
    },
    response: { status: entry.response.status, headers: redactor.headerMap(responseHeaders), body: redactor.text(body) },
  };
}
