/** Header names whose values are always secrets. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'x-auth-token']);
/** Field names whose values are secrets wherever they appear: JSON bodies, form bodies, query strings, echoed headers. */
const FIELD_NAMES = 'client_secret|client_assertion|access_token|refresh_token|id_token|password|api_key|x-api-key|apikey|authorization|broker_token';
/** `"field": "value"` in JSON (also `"db_password"`), the whole string value, escapes included. */
const SECRET_JSON_FIELDS = new RegExp(`("[\\w.-]*(?:${FIELD_NAMES})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'gi');
/** `field=value`, `field: value` elsewhere (form bodies, query strings, text). */
const SECRET_FIELDS = new RegExp(`((?:${FIELD_NAMES})"?\\s*[:=]\\s*"?)(?!\\[REDACTED\\])((?:Bearer|Basic)\\s+)?([^"&\\s,}]+)`, 'gi');
/** `scheme://user:password@host`: credentials in a URL. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^/\s@"'<>]+@/gi;
/** What both field patterns need: one of the names. Most text has none, and one test is cheaper than two replaces. */
const MAY_NAME_A_FIELD = new RegExp(FIELD_NAMES, 'i');

export const REDACTED = '[REDACTED]';

/**
 * Redacts secrets: the named headers, known secret fields in bodies and query strings, credentials in
 * URLs, and every literal secret value it was given (values of env vars named by `*-env` options), also
 * URL-encoded or JSON-escaped, and in header names as well as values.
 */
export class Redactor {
  private readonly given: string[];
  private readonly values: string[];
  private readonly headers: Set<string>;

  constructor(secretValues: Iterable<string> = [], extraHeaders: Iterable<string> = []) {
    this.given = [...new Set([...secretValues].filter((v) => v && v.length >= 4))];
    // Also the forms a server echoing a secret back may use; longest first, so a secret that contains another is replaced whole.
    const forms = this.given.flatMap((v) => [v, encodeURIComponent(v), JSON.stringify(v).slice(1, -1)]);
    this.values = [...new Set(forms)].sort((a, b) => b.length - a.length);
    this.headers = new Set([...SECRET_HEADERS, ...[...extraHeaders].map((h) => h.toLowerCase())]);
  }

  with(secretValues: Iterable<string>, extraHeaders: Iterable<string> = []): Redactor {
    return new Redactor([...this.given, ...secretValues], [...this.headers, ...extraHeaders]);
  }

  isSecretHeader(name: string): boolean {
    return this.headers.has(name.toLowerCase());
  }

  /**
   * The credentials these (request) headers carry: each secret header's value, the part after an auth
   * scheme (and a Basic credential decoded, and its password), each cookie's value.
   */
  credentialsIn(headers: Record<string, string>): string[] {
    const found: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (!this.isSecretHeader(name) || !value) continue;
      found.push(value);
      const scheme = /^(Bearer|Basic|Digest|Token)\s+(\S+)/i.exec(value);
      if (scheme) found.push(scheme[2]);
      if (scheme?.[1].toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
        found.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
      }
      if (name.toLowerCase() === 'cookie') for (const pair of value.split(';')) found.push(pair.slice(pair.indexOf('=') + 1).trim());
    }
    return [...new Set(found.filter((v) => v.length >= 4))];
  }

  /** This redactor, plus the credentials a request carried: a target echoing them back in its answer is redacted too. */
  learnFrom(headers: Record<string, string>): Redactor {
    const found = this.credentialsIn(headers).filter((v) => !this.given.includes(v));
    return found.length > 0 ? this.with(found) : this;
  }

  text(value: string): string {
    let out = value;
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    if (!MAY_NAME_A_FIELD.test(out) && !(out.includes('@') && out.includes('://'))) return out;
    return out
      .replace(SECRET_JSON_FIELDS, `$1${REDACTED}$3`)
      .replace(SECRET_FIELDS, (_m, name: string, scheme: string | undefined) => `${name}${scheme ?? ''}${REDACTED}`)
      .replace(URL_USERINFO, `$1${REDACTED}@`);
  }

  /** Every string (and object key) in a parsed JSON value redacted, its structure kept: for documents other tools wrote. */
  deep<T>(value: T): T {
    if (typeof value === 'string') return this.text(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.deep(v)])) as T;
    }
    return value;
  }

  headerMap(headers: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      out[this.headerName(name)] = this.isSecretHeader(name) ? redactHeaderValue(value) : this.text(value);
    }
    return out;
  }

  /** Header names are case-insensitive (and arrive lower-cased): a secret echoed in one is matched ignoring case. */
  private headerName(name: string): string {
    let out = this.text(name);
    for (const secret of this.values) {
      const needle = secret.toLowerCase();
      for (let at = out.toLowerCase().indexOf(needle); at >= 0; at = out.toLowerCase().indexOf(needle, at + REDACTED.length)) {
        out = `${out.slice(0, at)}${REDACTED}${out.slice(at + secret.length)}`;
      }
    }
    return out;
  }
}

/** Keep the scheme of an Authorization header (it says what kind of credential was sent), drop the rest. */
function redactHeaderValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}
