/** Header names whose values are always secrets. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey']);
const SECRET_FIELDS = /("?(?:client_secret|access_token|refresh_token|id_token|password|api_key)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi;

export const REDACTED = '[REDACTED]';

/**
 * Redacts secrets: the named headers, known secret fields in bodies and query strings, and every
 * literal secret value it was given (values of env vars named by `*-env` options).
 */
export class Redactor {
  private readonly values: string[];
  private readonly headers: Set<string>;

  constructor(secretValues: Iterable<string> = [], extraHeaders: Iterable<string> = []) {
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set([...secretValues].filter((v) => v && v.length >= 4))].sort((a, b) => b.length - a.length);
    this.headers = new Set([...SECRET_HEADERS, ...[...extraHeaders].map((h) => h.toLowerCase())]);
  }

  with(secretValues: Iterable<string>, extraHeaders: Iterable<string> = []): Redactor {
    return new Redactor([...this.values, ...secretValues], [...this.headers, ...extraHeaders]);
  }

  isSecretHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const secret of this.values) {
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(REDACTED);
    }
    return out.replace(SECRET_FIELDS, `$1${REDACTED}`);
  }

  headerMap(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[name] = this.isSecretHeader(name) ? redactHeaderValue(value) : this.text(value);
    }
    return out;
  }
}

/** Keep the scheme of an Authorization header (it says what kind of credential was sent), drop the rest. */
function redactHeaderValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}
