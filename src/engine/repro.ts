import type { RecordedRequest } from '../types';

/** Where a credential header's value comes from in a reproduction: an env var reference, never the value. */
export interface CredentialRef {
  header: string;
  /** e.g. `Bearer ${ERRSPEC_TOKEN}`. */
  value: string;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A curl command reproducing the request, with credentials as environment-variable references. */
export function curlFor(request: RecordedRequest, credential?: CredentialRef): string {
  const parts = ['curl', '-i', '-X', request.method, quote(request.url)];
  for (const [name, value] of Object.entries(request.headers)) {
    if (['content-length', 'host', 'connection'].includes(name)) continue;
    if (credential && name.toLowerCase() === credential.header.toLowerCase()) continue;
    if (value.includes('[REDACTED]')) continue;
    parts.push('-H', quote(`${name}: ${value}`));
  }
  // Double quotes so the shell expands the variable at reproduction time.
  if (credential) parts.push('-H', `"${credential.header}: ${credential.value}"`);
  if (request.body !== undefined && request.body !== '') parts.push('--data-raw', quote(request.body));
  return parts.join(' ');
}
