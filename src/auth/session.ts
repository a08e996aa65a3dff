import { evaluate } from '../engine/evaluate';
import { bearer, type Credential } from '../probes/credentials';
import type { Profile } from '../profile/profile';
import type { EvaluatedExchange, Exchange, RecordedResponse } from '../types';
import type { Redactor } from '../util/redact';
import { tokenRequestCurl, type OAuthClient, type TokenFailure, type TokenResult } from './oauth';

/** Exchange id of a token request the endpoint refused (or never answered). */
import { TOKEN_EXCHANGE } from '../checks/token-response';

export const TOKEN_EXCHANGE_ID = TOKEN_EXCHANGE;

/** How reproductions of probes sent with an OAuth token refer to it: the token is never written down. */
export const ACCESS_TOKEN_ENV = 'ERRSPEC_ACCESS_TOKEN';

/** RFC 6749 §5.2: a token endpoint refuses a client with 400 or 401. */
const RFC6749_ERROR_STATUSES = [400, 401];

/** A credential for the next probe, or why there is none and the exchanges that show it (recorded once). */
export interface AuthOutcome {
  credential?: Credential;
  skipReason?: string;
  exchanges: EvaluatedExchange[];
}

export interface SessionDeps {
  /** The run's redactor as it is now (it learns each access token as it arrives). */
  redactor: () => Redactor;
  strict?: boolean;
}

/**
 * The OAuth side of one vendor run: credentials for probes that need a valid one, and, when the token
 * endpoint refuses the client, that refusal as an exchange checked against the vendor's contract.
 */
export class OAuthSession {
  /** Set once no token could be had: the run then reports exit 3 with this message. */
  failure?: string;
  private recorded = false;

  constructor(readonly client: OAuthClient, private readonly profile: Profile, private readonly deps: SessionDeps) {}

  async credential(): Promise<AuthOutcome> {
    return this.outcome(await this.client.token());
  }

  /** After the vendor answered `stale` with its expired-token error. */
  async renew(stale: Credential): Promise<AuthOutcome> {
    return this.outcome(await this.client.refresh(stale.value.replace(/^Bearer\s+/i, '')));
  }

  private outcome(result: TokenResult): AuthOutcome {
    if (result.ok) return { credential: bearer(result.grant.accessToken, `Bearer \${${ACCESS_TOKEN_ENV}}`), exchanges: [] };
    const failure = result.failure;
    const redactor = this.deps.redactor();
    this.failure ??= redactor.text(`could not authenticate: ${failure.reason} (token endpoint ${failure.request.url}); probes that need a valid credential were not sent`);
    const exchanges = this.recorded ? [] : [this.tokenExchange(failure)];
    this.recorded = true;
    return { skipReason: redactor.text(`no access token: ${failure.reason}`), exchanges };
  }

  /** The refused token request, checked like any error of the vendor: a refusal has a contract too. */
  private tokenExchange(failure: TokenFailure): EvaluatedExchange {
    const redactor = this.deps.redactor();
    const { request, result } = failure;
    const refused = this.profile.doc.auth.tokenEndpoint?.refusedCodes;
    const exchange: Exchange = {
      id: TOKEN_EXCHANGE_ID,
      entry: null,
      request: {
        method: request.method,
        url: redactor.text(request.url),
        headers: redactor.headerMap(request.headers),
        ...(request.body !== undefined ? { body: redactor.text(request.body) } : {}),
      },
      // A refusal is checked as the error it is; a 2xx without a usable token, by the token-response check.
      ...(failure.kind === 'unusable' ? {} : {
        expectedStatuses: refused ? statusesOf(this.profile, refused) : RFC6749_ERROR_STATUSES,
        ...(refused ? { expectedCodes: refused } : {}),
      }),
      durationMs: result.durationMs,
    };
    if (result.response) exchange.response = redactedResponse(result.response, redactor);
    else exchange.transportError = { code: result.transportError?.code ?? 'ERROR', message: redactor.text(result.transportError?.message ?? 'no response') };
    const repro = tokenRequestCurl(this.client.settings);
    // A 2xx without a usable token is checked by the token-response check, like any other answer.
    return evaluate(this.profile, exchange, { strict: this.deps.strict, repro });
  }
}

/** The vendor's expired-token code in this answer, if it is one (opescare: token_expired). */
export function expiredTokenCode(profile: Profile, response: RecordedResponse): string | undefined {
  const codes = profile.doc.auth.expiredCodes;
  if (!codes || codes.length === 0 || response.status < 400) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(response.body);
  } catch {
    return undefined;
  }
  const code = profile.envelopeFacts(json).code;
  return code !== undefined && codes.includes(code) ? code : undefined;
}

/** Every status the profile documents these codes at. */
export function statusesOf(profile: Profile, codes: string[]): number[] {
  const statuses = new Set(codes.flatMap((code) => profile.codeDef(code)?.status ?? []));
  return statuses.size > 0 ? [...statuses].sort((a, b) => a - b) : RFC6749_ERROR_STATUSES;
}

export function redactedResponse(response: RecordedResponse, redactor: Redactor): RecordedResponse {
  // A body cut at --max-body-bytes may end in a secret's first characters.
  return { ...response, headers: redactor.headerMap(response.headers), body: redactor.text(response.body, { cut: response.truncated }) };
}
