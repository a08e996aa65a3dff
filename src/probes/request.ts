import { randomUUID } from 'node:crypto';
import type { ProbeDef } from '../profile/types';

/** Fill `{name}` placeholders from the profile's (or the config's) ids, URL-encoded. */
export function fillPath(template: string, ids: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (whole, name: string) => (ids[name] === undefined ? whole : encodeURIComponent(ids[name])));
}

/** Join a base URL that may carry a path prefix (https://host/fhir) with a probe path. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

export interface OutgoingRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

export function requestFor(probe: ProbeDef, baseUrl: string, ids: Record<string, string>, accept: string): OutgoingRequest {
  const headers: Record<string, string> = { accept, 'accept-encoding': 'identity', 'user-agent': 'errspec' };
  for (const [name, value] of Object.entries(probe.headers ?? {})) headers[name.toLowerCase()] = value;
  return { method: probe.method, url: joinUrl(baseUrl, fillPath(probe.path, ids)), headers, body: probe.body };
}

/** The request as it goes on the wire: each `{uuid}` in a header value becomes a fresh UUID (one per request). */
export function onTheWire(out: OutgoingRequest): OutgoingRequest {
  if (!Object.values(out.headers).some((v) => v.includes('{uuid}'))) return out;
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k, v.replace(/\{uuid\}/g, () => randomUUID())]));
  return { ...out, headers };
}
