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
  for (const h of headers ?? []) {
    const name = String(h.name).toLowerCase();
    map[name] = map[name] === undefined ? String(h.value) : `${map[name]}, ${h.value}`;
  }
  return map;
}

/** One HAR entry as an exchange; secrets redacted at capture. HAR timings are not exchanges' business. */
export function exchangeFromEntry(entry: Entry, index: number, redactor: Redactor): Exchange {
  const content = entry.response.content;
  let body = content?.text ?? '';
  if (content?.encoding === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
  const responseHeaders = headerMap(entry.response.headers);
  if (content?.mimeType && responseHeaders['content-type'] === undefined) responseHeaders['content-type'] = content.mimeType;
  return {
    id: `entry-${index}`,
    entry: index,
    request: {
      method: entry.request.method,
      url: redactor.text(entry.request.url),
      headers: redactor.headerMap(headerMap(entry.request.headers)),
      body: entry.request.postData?.text === undefined ? undefined : redactor.text(entry.request.postData.text),
    },
    response: { status: entry.response.status, headers: redactor.headerMap(responseHeaders), body: redactor.text(body) },
  };
}
