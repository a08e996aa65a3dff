/** RFC 6749 §5.1: what makes a 2xx token response usable. One reading, for the OAuth client and the check. */
export type TokenBody = { access_token: string; token_type?: string; expires_in?: unknown; scope?: unknown };

/** Why this 2xx body holds no usable token, or the parsed body when it does. */
export function readTokenBody(status: number, text: string): { problem: string } | { body: TokenBody } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: `the token endpoint answered HTTP ${status} with a body that is not JSON` };
  }
  const fields = (body ?? {}) as Partial<TokenBody> & Record<string, unknown>;
  if (typeof fields.access_token !== 'string' || fields.access_token === '') {
    return { problem: `the token endpoint answered HTTP ${status} without an access_token` };
  }
  if (typeof fields.token_type === 'string' && fields.token_type.toLowerCase() !== 'bearer') {
    return { problem: `the token endpoint issued a token of type "${fields.token_type}"; errspec sends Bearer tokens only` };
  }
  return { body: fields as TokenBody };
}
