/** Header names whose values are always secrets. */
const SECRET_HEADERS = new Set([
  'authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'apikey', 'x-auth-token',
  'ocp-apim-subscription-key', 'x-api-token', 'x-access-token', 'private-token', 'x-goog-api-key', 'x-amz-security-token',
]);
/** Header names shaped like a credential (`X-Vendor-Api-Key`, `X-Refresh-Token`, `X-Client-Secret`): their values are secrets too. */
const CREDENTIAL_HEADER_SHAPE = /api[-_]?key|token|secret|passw(?:or)?d|credential/i;
/** Query and form parameters whose values are secrets, by exact name (lower-cased)... */
const SECRET_PARAMS = new Set(['api-key', 'api_key', 'apikey', 'token', 'key', 'subscription-key', 'access_token', 'client_id', 'client_secret', 'client_assertion', 'password', 'sig', 'signature']);
/** ...and by shape: `refresh_token`, `x-api-key`, `db_password`. */
const CREDENTIAL_PARAM_SHAPE = /api[-_]?key|token|secret|passw(?:or)?d|credential/i;
/** JSON fields of a request body whose string values are secrets: `token`, `secret`, `privateKey`, `client_secret`, `password`, ... */
const CREDENTIAL_FIELD_SHAPE = /token|secret|passw(?:or)?d|private[-_]?key|api[-_]?key|credential|^key$/i;
/** Request bodies larger than this are not parsed for credentials (bodies are capped before this anyway). */
const MAX_LEARNED_BODY = 1_048_576;
/** Fields walked in one request body, at most: a hostile body must not make learning slow. */
const MAX_LEARNED_FIELDS = 10_000;
/** Secrets shorter than this cannot be told from ordinary text: given ones are refused (see `tooShortSecret`), learned ones ignored. */
export const MIN_SECRET_LENGTH = 4;
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

/** What a captured request carried, for learning its credentials: headers, and the URL and body when known. */
export interface CapturedRequest {
  headers: Record<string, string>;
  url?: string;
  body?: string;
}

/** Header and parameter names (beyond the built-in patterns) whose values are secrets: `--secret-header`, `--secret-param`. */
export interface SecretNames {
  headers?: Iterable<string>;
  params?: Iterable<string>;
}

/**
 * Redacts secrets: the named headers, known secret fields in bodies and query strings, credentials in
 * URLs, and every literal secret value it was given or learned from a request, in the forms a server
 * echoing it may use (raw, URL- and form-encoded, JSON-escaped with any `\uXXXX` or `\/`, base64), in
 * header names as well as values, and its prefix where a capped body was cut.
 */
export class Redactor {
  private readonly given: string[];
  private readonly values: string[];
  /** One pattern matching every given secret with any of its characters JSON-escaped (`\u002B`, `\/`): run when text has a backslash. */
  private readonly escaped: RegExp | undefined;
  private readonly headers: Set<string>;
  private readonly params: Set<string>;
  /** Every form of every secret, lower-cased: `mayReveal` compares with these. */
  private readonly lowerForms: string[];
  /** isSecretHeader by name: a capture asks it of the same few dozen names on every entry. */
  private readonly secretHeaderMemo = new Map<string, boolean>();

  constructor(secretValues: Iterable<string> = [], extraHeaders: Iterable<string> = [], extraParams: Iterable<string> = []) {
    this.given = [...new Set([...secretValues].filter((v) => v && v.length >= MIN_SECRET_LENGTH))];
    // Longest first, so a secret that contains another is replaced whole.
    this.values = [...new Set(this.given.flatMap(formsOf))].sort((a, b) => b.length - a.length);
    // The base64 forms too: a target may JSON-escape every character of an encoded credential, which a reader then decodes.
    const byLength = [...new Set([...this.given, ...this.given.flatMap(base64Forms)])].sort((a, b) => b.length - a.length);
    this.escaped = byLength.length > 0 ? new RegExp(byLength.map(escapedPattern).join('|'), 'g') : undefined;
    this.lowerForms = [...new Set(this.values.map((v) => v.toLowerCase()))];
    this.headers = new Set([...SECRET_HEADERS, ...[...extraHeaders].map((h) => h.toLowerCase())]);
    this.params = new Set([...SECRET_PARAMS, ...[...extraParams].map((p) => p.toLowerCase())]);
  }

  /** The secret values this redactor was given (or learned). */
  secrets(): string[] {
    return [...this.given];
  }

  with(secretValues: Iterable<string>, extraHeaders: Iterable<string> = [], extraParams: Iterable<string> = []): Redactor {
    return new Redactor([...this.given, ...secretValues], [...this.headers, ...extraHeaders], [...this.params, ...extraParams]);
  }

  isSecretHeader(name: string): boolean {
    let secret = this.secretHeaderMemo.get(name);
    if (secret === undefined) {
      const lower = name.toLowerCase();
      secret = this.headers.has(lower) || CREDENTIAL_HEADER_SHAPE.test(lower);
      if (this.secretHeaderMemo.size < 1000) this.secretHeaderMemo.set(name, secret);
    }
    return secret;
  }

  /**
   * Whether the text may hold one of this redactor's own secret values, in any form `text()` redacts:
   * any form of a secret (ignoring case, as header names are matched), or a backslash (a JSON escape
   * `text()` would decode). False means `text()`, `headerMap()` and `headerName()` of the text redact
   * nothing of these values, only the field patterns every redactor applies: a capture can then use a
   * redactor without them (and its remembered results) for the text.
   */
  mayReveal(text: string): boolean {
    return mayReveal(this.lowerForms, text);
  }

  isSecretParam(name: string): boolean {
    const lower = name.toLowerCase();
    return this.params.has(lower) || CREDENTIAL_PARAM_SHAPE.test(lower);
  }

  /**
   * The credentials a captured request carries: each credential-shaped header's value, the part after an
   * auth scheme (a Basic credential decoded too: user, password, both), each cookie's value (cookie
   * lines joined by `, ` too), credential-shaped query and form parameters, and credential-shaped
   * string fields of a JSON body.
   */
  credentialsIn(headers: Record<string, string>, request: Omit<CapturedRequest, 'headers'> = {}): string[] {
    const found: string[] = [];
    for (const [name, value] of Object.entries(headers)) {
      if (!this.isSecretHeader(name) || !value) continue;
      found.push(value);
      const lower = name.toLowerCase();
      if (lower === 'cookie' || lower === 'set-cookie') {
        for (const pair of value.split(/;|,\s/)) found.push(pair.slice(pair.indexOf('=') + 1).trim());
        continue;
      }
      const scheme = /^(Bearer|Basic|Digest|Token)\s+(\S+)/i.exec(value);
      if (scheme) found.push(scheme[2]);
      if (scheme?.[1].toLowerCase() === 'basic') {
        const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        const user = decoded.slice(0, Math.max(colon, 0));
        const password = decoded.slice(colon + 1);
        // RFC 6749 section 2.3.1: OAuth clients form-encode the id and secret before base64.
        found.push(decoded, user, password, formDecode(user), formDecode(password));
      }
    }
    const query = request.url?.indexOf('?') ?? -1;
    if (request.url && query >= 0) found.push(...this.paramValues(request.url.slice(query + 1).split('#')[0]));
    if (request.body && request.body.length <= MAX_LEARNED_BODY) found.push(...this.bodyValues(request.body));
    return [...new Set(found.filter((v) => v.length >= MIN_SECRET_LENGTH))];
  }

  /** This redactor, plus the credentials a request carried: a target echoing them back in its answer is redacted too. */
  learnFrom(headers: Record<string, string>, request: Omit<CapturedRequest, 'headers'> = {}): Redactor {
    const found = this.credentialsIn(headers, request).filter((v) => !this.given.includes(v));
    return found.length > 0 ? this.with(found) : this;
  }

  private paramValues(query: string): string[] {
    const found: string[] = [];
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(query);
    } catch {
      return found;
    }
    for (const [name, value] of params) if (value && this.isSecretParam(name)) found.push(value);
    return found;
  }

  private bodyValues(body: string): string[] {
    const trimmed = body.trimStart();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return /^[^\s=&]+=/.test(trimmed) ? this.paramValues(trimmed) : [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return [];
    }
    const found: string[] = [];
    const stack: unknown[] = [parsed];
    for (let walked = 0; stack.length > 0 && walked < MAX_LEARNED_FIELDS; walked++) {
      const node = stack.pop();
      if (!node || typeof node !== 'object') continue;
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && value && (CREDENTIAL_FIELD_SHAPE.test(key) || this.isSecretParam(key))) found.push(value);
        else if (value && typeof value === 'object') stack.push(value);
      }
    }
    return found;
  }

  /** The text with every secret redacted; `cut`: the text was cut at a cap, so a secret's prefix at its end is redacted too. */
  text(value: string, options: { cut?: boolean } = {}): string {
    let out = value;
    for (const secret of this.values) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    // ASP.NET writes `+` as `\u002B`, PHP `/` as `\/`: a reader decoding the JSON would show the secret.
    if (this.escaped && out.includes('\\')) out = out.replace(this.escaped, REDACTED);
    if (options.cut) out = this.cutPrefix(out);
    if (!MAY_NAME_A_FIELD.test(out) && !(out.includes('@') && out.includes('://'))) return out;
    return out
      .replace(SECRET_JSON_FIELDS, `$1${REDACTED}$3`)
      .replace(SECRET_FIELDS, (_m, name: string, scheme: string | undefined) => `${name}${scheme ?? ''}${REDACTED}`)
      .replace(URL_USERINFO, `$1${REDACTED}@`);
  }

  /** A secret (in any of its forms) whose first characters end the text: the rest was cut off by a body cap. */
  private cutPrefix(text: string): string {
    // The longest prefix of any form: a shorter one of another form (its first letter alone) would leave the rest in place.
    let longest = 0;
    for (const secret of this.values) {
      for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(secret.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest > 0 ? `${text.slice(0, text.length - longest)}${REDACTED}` : text;
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

/**
 * Lower-cased forms by secret: a browser capture's requests share most credentials (the token, most cookies)
 * and differ in one (a per-request cookie), so each new set of credentials mostly repeats known secrets
 * (computing their forms was a third of `check`'s CPU on such a capture). Bounded; a pure function's results.
 */
const lowerForms = new Map<string, string[]>();
const LOWER_FORMS_LIMIT = 1_000;

/** Every form (`formsOf`) of these secrets, lower-cased: what `mayReveal` looks for, without building a Redactor. */
export function secretForms(secrets: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    let forms = lowerForms.get(secret);
    if (!forms) {
      forms = formsOf(secret).map((f) => f.toLowerCase());
      if (lowerForms.size >= LOWER_FORMS_LIMIT) lowerForms.clear();
      lowerForms.set(secret, forms);
    }
    for (const form of forms) out.add(form);
  }
  return [...out];
}

/** Whether the text may hold a secret of these forms (`secretForms`): one of them ignoring case, or a backslash (a JSON escape). */
export function mayReveal(forms: readonly string[], text: string): boolean {
  if (forms.length === 0) return false;
  if (text.includes('\\')) return true;
  const lower = text.toLowerCase();
  for (const form of forms) if (lower.includes(form)) return true;
  return false;
}

/**
 * The forms a server echoing a secret back may write it in: raw, URL-encoded, form-encoded, JSON-escaped
 * (also `\/`), base64, and, for a value with spaces (a query's `+`), with only its spaces written as `+`.
 */
function formsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const plus = secret.includes(' ') ? [secret.replace(/ /g, '+')] : [];
  return [secret, encodeURIComponent(secret), formEncode(secret), json, json.replace(/\//g, '\\/'), ...plus, ...base64Forms(secret)];
}

/** The secret base64-encoded alone, and inside a longer base64 text. */
function base64Forms(secret: string): string[] {
  return [Buffer.from(secret, 'utf8').toString('base64'), ...base64Embedded(secret)];
}

/** Shortest run of base64 characters redacted as an embedded secret: shorter ones could be ordinary text. */
const MIN_EMBEDDED_BASE64 = 8;

/**
 * The secret inside a longer base64 text (a Basic credential `user:password` re-encoded by a target, a token in
 * an encoded blob): its encoding at each of the three byte alignments, without the characters that also depend
 * on the bytes before and after it (issue 14: Basic-wrapped echoes).
 */
function base64Embedded(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Whole 4-character groups only: the first one mixes in the bytes before (unless aligned), the last partial one those after.
    const core = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + bytes.length) / 3) * 4);
    if (core.length >= MIN_EMBEDDED_BASE64) cores.push(core);
  }
  return cores;
}

/** `application/x-www-form-urlencoded`, as URLSearchParams writes it (`Canary Client!Id` is `Canary+Client%21Id`). */
const formEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** A pattern for the secret with any of its characters written as a JSON escape: itself, `\uXXXX` (either case of hex), `\/`, `\"`, `\\`. */
function escapedPattern(secret: string): string {
  let pattern = '';
  for (let i = 0; i < secret.length; i++) {
    const c = secret[i];
    const hex = [...secret.charCodeAt(i).toString(16).padStart(4, '0')].map((h) => (/[a-f]/.test(h) ? `[${h}${h.toUpperCase()}]` : h)).join('');
    const alternatives = [c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'), `\\\\u${hex}`];
    if (c === '/' || c === '"' || c === '\\') alternatives.push(`\\\\\\${c}`);
    pattern += `(?:${alternatives.join('|')})`;
  }
  return pattern;
}

/** Keep the scheme of an Authorization header (it says what kind of credential was sent), drop the rest. */
function redactHeaderValue(value: string): string {
  const scheme = /^(Bearer|Basic|Digest|Token)\s+/i.exec(value);
  return scheme ? `${scheme[1]} ${REDACTED}` : REDACTED;
}
