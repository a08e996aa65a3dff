import { readTokenBody } from './token-response';
import { send, type SendOptions, type SendResult } from '../probes/http';
import type { HostPacer } from '../probes/pacer';
import type { OutgoingRequest } from '../probes/request';

/** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
export type ClientAuthMethod = 'body' | 'basic';

/** A resolved OAuth2 client-credentials client: secret values are here, so this never reaches a report. */
export interface OAuthClientSettings {
  /** Absolute token endpoint URL. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Names of the variables they came from, for reproductions. */
  clientIdEnv: string;
  clientSecretEnv: string;
  /** Space-separated scopes to request; omitted from the request when absent. */
  scope?: string;
  /** `body` (default): client_id and client_secret in the form; `basic`: HTTP Basic. */
  clientAuth: ClientAuthMethod;
}

/** A token errspec may send, and when it stops being valid by the server's own expires_in. */
export interface TokenGrant {
  accessToken: string;
  /** Epoch milliseconds; undefined when the server gave no expires_in. */
  expiresAt?: number;
}

/** Why no token could be had, with the exchange that shows it (secrets still in it: the caller redacts at capture). */
export interface TokenFailure {
  /** `refused`: the endpoint answered an error status; `unusable`: a 2xx without a usable token; `transport`: no answer. */
  kind: 'refused' | 'unusable' | 'transport';
  reason: string;
  request: OutgoingRequest;
  result: SendResult;
}

export type TokenResult = { ok: true; grant: TokenGrant } | { ok: false; failure: TokenFailure };

export interface OAuthClientDeps {
  send: SendOptions;
  /** The run's pacer: a token request to a host that answered 429 waits like any request. */
  pacer: HostPacer;
  signal?: AbortSignal;
  /** Called with each access token received, so the run redacts it from then on. */
  onToken?: (accessToken: string) => void;
  now?: () => number;
}

/** Seconds before expiry at which a cached token counts as stale: the probe must not race the clock. */
const EXPIRY_MARGIN_SECONDS = 30;

/**
 * OAuth2 client credentials (RFC 6749 §4.4): fetches a token on first use, caches it, fetches a fresh one
 * once the cached one is past its expires_in or the server answers that it expired. A client the endpoint
 * refused is not asked for again: the failure is returned to every later caller.
 */
export class OAuthClient {
  /** Requests sent to the token endpoint. */
  requests = 0;
  private grant?: TokenGrant;
  private pending?: Promise<TokenResult>;
  private failure?: TokenFailure;
  private readonly now: () => number;

  constructor(readonly settings: OAuthClientSettings, private readonly deps: OAuthClientDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A token to send: the cached one while it is fresh, else a new one. Concurrent callers share one request. */
  token(): Promise<TokenResult> {
    if (this.failure) return Promise.resolve({ ok: false, failure: this.failure });
    if (this.grant && !this.isStale(this.grant)) return Promise.resolve({ ok: true, grant: this.grant });
    return this.fetchOnce();
  }

  /** A fresh token after the server called `stale` expired; callers holding the same stale token share one request. */
  refresh(stale: string): Promise<TokenResult> {
    if (this.failure) return Promise.resolve({ ok: false, failure: this.failure });
    if (this.grant && this.grant.accessToken !== stale) return Promise.resolve({ ok: true, grant: this.grant });
    this.grant = undefined;
    return this.fetchOnce();
  }

  private isStale(grant: TokenGrant): boolean {
    return grant.expiresAt !== undefined && this.now() >= grant.expiresAt;
  }

  private fetchOnce(): Promise<TokenResult> {
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetch(): Promise<TokenResult> {
    const request = tokenRequest(this.settings);
    const host = new URL(request.url).host;
    await this.deps.pacer.wait(host, this.deps.signal);
    const result = await send(request, this.deps.send);
    this.requests++;
    if (result.response) this.deps.pacer.observe(host, result.response);
    const outcome = parseTokenResponse(request, result, this.now());
    if (outcome.ok) {
      this.grant = outcome.grant;
      this.deps.onToken?.(outcome.grant.accessToken);
    } else this.failure = outcome.failure;
    return outcome;
  }
}

/** RFC 6749 §2.3.1: with Basic, the id and secret are form-encoded before base64. */
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

/** The client-credentials token request as sent. */
export function tokenRequest(settings: OAuthClientSettings): OutgoingRequest {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (settings.scope) form.set('scope', settings.scope);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-encoding': 'identity',
    'content-type': 'application/x-www-form-urlencoded',
    'user-agent': 'errspec',
  };
  if (settings.clientAuth === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(settings.clientId)}:${formEncode(settings.clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', settings.clientId);
    form.set('client_secret', settings.clientSecret);
  }
  return { method: 'POST', url: settings.tokenUrl, headers, body: form.toString() };
}

/** A curl command for the token request, with the client id and secret as environment-variable references. */
export function tokenRequestCurl(settings: OAuthClientSettings): string {
  const parts = ['curl', '-i', '-X', 'POST', `'${settings.tokenUrl.replace(/'/g, `'\\''`)}'`, '-H', `'accept: application/json'`];
  parts.push('--data-urlencode', `'grant_type=client_credentials'`);
  if (settings.scope) parts.push('--data-urlencode', `'scope=${settings.scope.replace(/'/g, `'\\''`)}'`);
  // Double quotes so the shell expands the variables at reproduction time.
  if (settings.clientAuth === 'basic') parts.push('-u', `"\${${settings.clientIdEnv}}:\${${settings.clientSecretEnv}}"`);
  else parts.push('--data-urlencode', `"client_id=\${${settings.clientIdEnv}}"`, '--data-urlencode', `"client_secret=\${${settings.clientSecretEnv}}"`);
  return parts.join(' ');
}

/** RFC 6749 §5.1: a 2xx JSON object with access_token, token_type Bearer and (optionally) expires_in seconds. */
export function parseTokenResponse(request: OutgoingRequest, result: SendResult, now: number): TokenResult {
  const failure = (kind: TokenFailure['kind'], reason: string): TokenResult => ({ ok: false, failure: { kind, reason, request, result } });
  const response = result.response;
  if (!response) return failure('transport', `the token endpoint did not answer: ${result.transportError?.message ?? 'no response'}`);
  if (response.status < 200 || response.status > 299) {
    const code = errorCodeOf(response.body);
    return failure('refused', `the token endpoint refused the client: HTTP ${response.status}${code ? ` ${code}` : ''}`);
  }
  const read = readTokenBody(response.status, response.body);
  if ('problem' in read) return failure('unusable', read.problem);
  const fields = read.body;
  // Some servers send expires_in as a string of digits.
  const expiresIn = typeof fields.expires_in === 'number' ? fields.expires_in : typeof fields.expires_in === 'string' && /^\d+$/.test(fields.expires_in) ? Number(fields.expires_in) : undefined;
  const margin = expiresIn === undefined ? 0 : Math.min(EXPIRY_MARGIN_SECONDS, expiresIn / 10);
  return { ok: true, grant: { accessToken: fields.access_token, expiresAt: expiresIn === undefined ? undefined : now + (expiresIn - margin) * 1000 } };
}

/** The code of an error body, whether RFC 6749 (`error`) or a vendor envelope (`error.code`). */
function errorCodeOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed?.error === 'string') return parsed.error;
    const nested = (parsed?.error as { code?: unknown } | undefined)?.code;
    return typeof nested === 'string' ? nested : undefined;
  } catch {
    return undefined;
  }
}
