import { UsageError } from '../errors';
import { envSecret } from '../util/env';

import { wantsOAuth, type OAuthOptions } from '../auth/options';
import type { Profile } from '../profile/profile';

/** The credential errspec sends for `auth: invalid` probes; the reference mock refuses anything starting with it. */
export const INVALID_CREDENTIAL = 'errspec-invalid-credential';
/** The credential errspec sends to its own embedded mock when the user gave none. Not a secret. */
export const MOCK_CREDENTIAL = 'errspec-mock-credential';

export interface Credential {
  /** Header name, e.g. authorization or x-api-key. */
  header: string;
  /** The exact header value sent. */
  value: string;
  /** The header value as a reproduction shows it, e.g. `Bearer ${ERRSPEC_TOKEN}`. */
  reference: string;
  /** The secret inside the value, for redaction (undefined for the public mock credential). */
  secret?: string;
}

/** Credential options of the CLI: secrets are read only from environment variables. */
export interface CredentialOptions extends OAuthOptions {
  tokenEnv?: string;
  apiKeyEnv?: string;
  apiKeyHeader?: string;
}

/** The user's credential, from the environment variables the options name. */
export function credentialFrom(options: CredentialOptions, env: NodeJS.ProcessEnv = process.env): Credential | undefined {
  if (options.tokenEnv && options.apiKeyEnv) throw new UsageError('give one of --token-env and --api-key-env, not both');
  if ((options.tokenEnv || options.apiKeyEnv) && wantsOAuth(options)) {
    throw new UsageError('give one of --token-env, --api-key-env and OAuth client credentials (--oauth-token-url), not several');
  }
  if (options.tokenEnv) {
    const token = envSecret(options.tokenEnv, env, '--token-env');
    return bearer(token, `Bearer \${${options.tokenEnv}}`);
  }
  if (options.apiKeyEnv) {
    if (!options.apiKeyHeader) throw new UsageError('--api-key-env needs --api-key-header NAME');
    const key = envSecret(options.apiKeyEnv, env, '--api-key-env');
    return { header: options.apiKeyHeader.toLowerCase(), value: key, reference: `\${${options.apiKeyEnv}}`, secret: key };
  }
  return undefined;
}

export function bearer(token: string, reference: string, secret = true): Credential {
  return { header: 'authorization', value: `Bearer ${token}`, reference, secret: secret ? token : undefined };
}

/** The credential errspec uses against its own mock, shaped as the vendor expects. */
export function mockCredential(profile: Profile): Credential {
  const { scheme, header } = profile.doc.auth;
  return scheme === 'api-key'
    ? { header: (header ?? 'x-api-key').toLowerCase(), value: MOCK_CREDENTIAL, reference: MOCK_CREDENTIAL }
    : bearer(MOCK_CREDENTIAL, `Bearer ${MOCK_CREDENTIAL}`, false);
}

/** A credential of the right shape that no server issued. */
export function invalidCredential(profile: Profile, like?: Credential): Credential {
  const header = like?.header ?? (profile.doc.auth.scheme === 'api-key' ? (profile.doc.auth.header ?? 'x-api-key').toLowerCase() : 'authorization');
  const value = header === 'authorization' ? `Bearer ${INVALID_CREDENTIAL}` : INVALID_CREDENTIAL;
  return { header, value, reference: value };
}
