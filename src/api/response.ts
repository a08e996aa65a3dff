import type { HeaderMap } from '../types';

/** What a test holds after a request: a fetch `Response`, an undici `request()` result, or plain data. */
export type ResponseLike = FetchResponseLike | UndiciResponseLike | PlainResponse;

/** The parts of a WHATWG fetch `Response` errspec reads (global fetch, undici's fetch, node-fetch 3). */
export interface FetchResponseLike {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  clone?: () => { text(): Promise<string> };
  text(): Promise<string>;
}

/** undici's `request()` result: `statusCode`, a header object and a readable body with `text()`. */
export interface UndiciResponseLike {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body: { text(): Promise<string> };
}

/** A response written down: a body that is not a string or bytes is serialised as JSON; headers are only those given. */
export interface PlainResponse {
  status: number;
  headers?: Record<string, string | string[] | number | undefined> | Iterable<[string, string]>;
  body?: unknown;
}

/** A response as the checks read it: status, lower-cased headers (repeats joined with ", "), body text. */
export interface NormalisedResponse {
  status: number;
  headers: HeaderMap;
  body: string;
}

const isFetch = (r: ResponseLike): r is FetchResponseLike =>
  typeof (r as FetchResponseLike).text === 'function' && typeof (r as FetchResponseLike).headers?.forEach === 'function';
const isUndici = (r: ResponseLike): r is UndiciResponseLike => typeof (r as UndiciResponseLike).statusCode === 'number';

/** True when reading `response` needs no await: plain data. */
export function isPlain(response: ResponseLike): response is PlainResponse {
  return !isFetch(response) && !isUndici(response);
}

/** Read any response-like into the shape the checks read. A fetch response is cloned first, so the caller can still read its body. */
export async function normalise(response: ResponseLike): Promise<NormalisedResponse> {
  if (isFetch(response)) {
    const headers: HeaderMap = {};
    response.headers.forEach((value, name) => join(headers, name, value));
    const body = await (typeof response.clone === 'function' ? response.clone().text() : response.text());
    return { status: response.status, headers, body };
  }
  if (isUndici(response)) {
    const headers: HeaderMap = {};
    for (const [name, value] of Object.entries(response.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) join(headers, name, String(one));
    }
    return { status: response.statusCode, headers, body: await response.body.text() };
  }
  return normalisePlain(response);
}

/** A plain `{status, headers, body}`, read synchronously. */
export function normalisePlain(response: PlainResponse): NormalisedResponse {
  if (!Number.isInteger(response.status)) throw new TypeError('a response needs an integer `status`');
  const headers: HeaderMap = {};
  const given = response.headers ?? {};
  const pairs: Iterable<[string, unknown]> = Symbol.iterator in given ? (given as Iterable<[string, string]>) : Object.entries(given);
  for (const [name, value] of pairs) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) join(headers, name, String(one));
  }
  const { body } = response;
  let text: string;
  if (body === undefined || body === null) text = '';
  else if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = Buffer.from(body).toString('utf8');
  // No content-type is invented for it: the media-type check reads only what the response says.
  else text = JSON.stringify(body);
  return { status: response.status, headers, body: text };
}

function join(headers: HeaderMap, name: string, value: string): void {
  const key = name.toLowerCase();
  headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`;
}
