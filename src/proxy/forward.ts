import { UsageError } from '../errors';
import { httpUrl } from '../util/http-url';
import { connectionTokens, isHopByHop } from '../util/hop-by-hop';


/** Node answers `Expect: 100-continue` itself; undici refuses to send it on. */
const REQUEST_ONLY_DROPS = new Set(['host', 'expect']);

/** The values of the Connection headers of a flat [name, value, ...] list. */
function connectionValues(rawHeaders: string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'connection') values.push(rawHeaders[i + 1]);
  return values;
}

/** A flat [name, value, ...] list with hop-by-hop headers (and `drops`) taken out; order, case and repeats kept. */
function withoutHopByHop(rawHeaders: string[], drops: ReadonlySet<string> = new Set()): string[] {
  const listed = connectionTokens(connectionValues(rawHeaders));
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (isHopByHop(name, listed) || drops.has(name)) continue;
    out.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return out;
}

/** The client's headers for the target: as sent, minus hop-by-hop ones and Host (undici sets the target's). */
export function forwardHeaders(rawHeaders: string[]): string[] {
  return withoutHopByHop(rawHeaders, REQUEST_ONLY_DROPS);
}

/** The target's headers for the client: as received, minus hop-by-hop ones (Node frames the body for the client). */
export function responseHeaders(rawHeaders: string[]): string[] {
  return withoutHopByHop(rawHeaders);
}

/** Lower-cased names, repeats joined with ", " (as a HAR reader records them). */
export function headerMapOf(rawHeaders: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    map[name] = map[name] === undefined ? rawHeaders[i + 1] : `${map[name]}, ${rawHeaders[i + 1]}`;
  }
  return map;
}

/** Where requests go: an http(s) origin and an optional path prefix (`https://sandbox.example/fhir`). */
export interface Target {
  origin: string;
  /** Prefix without a trailing slash ('' for none). */
  basePath: string;
}

export function parseTarget(raw: string): Target {
  const url = httpUrl('--target', raw, 'your client sends its own');
  if (url.search || url.hash) throw new UsageError(`--target "${raw}": give an origin and optional path prefix, without query or fragment`);
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
}

/**
 * The path sent to the target, byte for byte as the client sent it after the prefix. A client using the
 * proxy as HTTP_PROXY sends an absolute URL: only its path and query are kept.
 */
export function targetPath(target: Target, requestUrl: string): string {
  let path = requestUrl;
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (absolute) path = path.slice(absolute[0].length);
  if (path === '*' || path === '') path = '/';
  if (!path.startsWith('/')) path = `/${path}`;
  return `${target.basePath}${path}`;
}
