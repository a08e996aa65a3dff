import { UsageError } from '../errors';

/**
 * A URL errspec sends to, from an option: absolute http(s), never with `user:password@` (reports show
 * targets, so a password there would be in every one of them). Each problem is one usage line naming the option.
 */
export function httpUrl(option: string, raw: string, credentialsHint = 'use --token-env or --api-key-env'): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${option} "${raw}" is not a URL (expected http://host[:port][/prefix] or https://...)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`${option} "${raw}": only http and https targets are supported, got ${url.protocol}`);
  if (url.username || url.password) throw new UsageError(`${option} must not carry credentials (user:password@): ${credentialsHint}`);
  return url;
}
