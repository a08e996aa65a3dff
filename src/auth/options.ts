import { UsageError } from '../errors';
import { httpUrl } from '../util/http-url';
import { envSecret } from '../util/env';
import { joinUrl } from '../probes/request';
import type { ClientAuthMethod, OAuthClientSettings } from './oauth';

/** OAuth2 client-credentials options of the CLI and the config: names of variables, never their values. */
export interface OAuthOptions {
  /** Token endpoint: an absolute URL, or a path resolved against the target's base URL (handy for the embedded mock). */
  oauthTokenUrl?: string;
  /** Variable holding the client id (redacted like a secret). */
  clientIdEnv?: string;
  /** Variable holding the client secret. */
  clientSecretEnv?: string;
  /** Scopes to request, space-separated. */
  scope?: string;
  /** `body` (default): credentials in the form body; `basic`: HTTP Basic. */
  oauthClientAuth?: string;
}

export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = ['body', 'basic'];

/** Whether any OAuth option is set. */
export function wantsOAuth(options: OAuthOptions): boolean {
  return Boolean(options.oauthTokenUrl || options.clientIdEnv || options.clientSecretEnv);
}

/**
 * The OAuth client the options describe, with the secrets read from the environment now, so a missing
 * variable is a usage error before any request. Undefined when no OAuth option is set.
 */
export function oauthSettingsFrom(options: OAuthOptions, baseUrl: string, env: NodeJS.ProcessEnv = process.env): OAuthClientSettings | undefined {
  if (!wantsOAuth(options)) return undefined;
  const { oauthTokenUrl, clientIdEnv, clientSecretEnv } = options;
  if (!oauthTokenUrl || !clientIdEnv || !clientSecretEnv) {
    throw new UsageError('OAuth client credentials need all of --oauth-token-url, --client-id-env and --client-secret-env');
  }
  const clientAuth = (options.oauthClientAuth ?? 'body') as ClientAuthMethod;
  if (!CLIENT_AUTH_METHODS.includes(clientAuth)) {
    throw new UsageError(`--oauth-client-auth takes ${CLIENT_AUTH_METHODS.join(' or ')}, got "${options.oauthClientAuth}"`);
  }
  return {
    tokenUrl: tokenUrlOf(oauthTokenUrl, baseUrl),
    clientId: envSecret(clientIdEnv, env, '--client-id-env'),
    clientSecret: envSecret(clientSecretEnv, env, '--client-secret-env'),
    clientIdEnv,
    clientSecretEnv,
    scope: options.scope || undefined,
    clientAuth,
  };
}

function tokenUrlOf(raw: string, baseUrl: string): string {
  if (raw.startsWith('/')) return joinUrl(baseUrl, raw);
  if (!URL.canParse(raw)) throw new UsageError(`--oauth-token-url "${raw}" is neither an absolute URL nor a path starting with /`);
  return httpUrl('--oauth-token-url', raw, 'use --client-id-env and --client-secret-env').toString();
}
