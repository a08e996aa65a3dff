import type http from 'node:http';

/**
 * Canaries for the secret-leak tests: values that look like real tokens (`+`, `/`, `=` included), each with a
 * hex core that must not appear in any output in any form.
 */
export interface Canary {
  kind: string;
  value: string;
  core: string;
}

export function canary(kind: string, shape: (core: string) => string = (core) => `cnry+${core}/Zq9=`): Canary {
  const core = `${kind}${Math.random().toString(16).slice(2, 10)}${Date.now().toString(16)}`;
  return { kind, value: shape(core), core };
}

/** The echo forms a hostile target writes a secret in. */
export type EchoForm = 'raw' | 'url-encoded' | 'form-encoded' | 'json-unicode' | 'json-slash' | 'base64' | 'basic-wrapped' | 'cut-by-body-cap';
export const ECHO_FORMS: EchoForm[] = ['raw', 'url-encoded', 'form-encoded', 'json-unicode', 'json-slash', 'base64', 'basic-wrapped', 'cut-by-body-cap'];

const formEncode = (v: string): string => new URLSearchParams({ v }).toString().slice(2);

/** `secret` written in `form` (`cut-by-body-cap` and `basic-wrapped` are made by the server, see hostileEcho). */
export function echoed(secret: string, form: Exclude<EchoForm, 'cut-by-body-cap'>): string {
  switch (form) {
    case 'raw':
      return secret;
    case 'url-encoded':
      return encodeURIComponent(secret);
    case 'form-encoded':
      return formEncode(secret);
    case 'json-unicode':
      // A writer escaping every character (\uXXXX).
      return [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    case 'json-slash':
      // ASP.NET writes `+` as `\u002B`, `=` as `\u003d`; PHP writes `/` as `\/`.
      return JSON.stringify(secret).slice(1, -1).replace(/\+/g, '\\u002B').replace(/=/g, '\\u003d').replace(/\//g, '\\/');
    case 'base64':
      return Buffer.from(secret).toString('base64');
    case 'basic-wrapped':
      // As if the target rebuilt a Basic credential from what it received, without form-encoding (RFC 7617, not RFC 6749).
      return Buffer.from(`errspec:${secret}`).toString('base64');
  }
}

/** Every credential a request carried: header values (Basic decoded), cookie values, query parameters, body fields. */
export function receivedCredentials(req: http.IncomingMessage, body: string): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value !== 'string' || /^(host|connection|content-length|content-type|accept|accept-encoding|user-agent|x-errspec-[\w-]*)$/.test(name)) continue;
    if (name === 'cookie') {
      for (const pair of value.split(/;\s*|,\s/)) found.push(pair.slice(pair.indexOf('=') + 1));
      continue;
    }
    const scheme = /^(Bearer|Basic)\s+(\S+)$/i.exec(value);
    if (scheme?.[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const [user, pass] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
      const formDecode = (v: string): string => decodeURIComponent(v.replace(/\+/g, ' '));
      found.push(scheme[2], user, pass, formDecode(user), formDecode(pass));
      // Basic-wrapped again, as RFC 7617 would have it (no form-encoding).
      found.push(Buffer.from(`${formDecode(user)}:${formDecode(pass)}`).toString('base64'));
    } else found.push(scheme ? scheme[2] : value);
  }
  const query = req.url?.indexOf('?') ?? -1;
  if (req.url && query >= 0) for (const [, v] of new URLSearchParams(req.url.slice(query + 1))) found.push(v);
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    try {
      const walk = (node: unknown): void => {
        if (typeof node === 'string') found.push(node);
        else if (node && typeof node === 'object') Object.values(node).forEach(walk);
      };
      walk(JSON.parse(trimmed));
    } catch {
      found.push(trimmed);
    }
  } else if (/^[^\s=&]+=/.test(trimmed)) for (const [, v] of new URLSearchParams(trimmed)) found.push(v);
  return [...new Set(found.filter((v) => v.length >= 4))];
}

/**
 * The hostile answer: every secret in every echo form, in a JSON body (under secret and ordinary keys), in
 * header values and in a header name; the body padded so the cap `cap` falls `cutInto` characters into one of
 * them (a different one each request).
 */
export function hostileEcho(secrets: string[], cap: number | undefined, request: number): { headers: Record<string, string>; body: string; cut?: string } {
  const forms = secrets.flatMap((s) => ECHO_FORMS.filter((f): f is Exclude<EchoForm, 'cut-by-body-cap'> => f !== 'cut-by-body-cap').map((f) => echoed(s, f)));
  const headerSafe = forms.filter((f) => /^[\x21-\x7e ]+$/.test(f));
  const headers: Record<string, string> = {
    'x-echo-all': headerSafe.join(' '),
    'www-authenticate': `Bearer realm="api", error="invalid_token", error_description="token ${headerSafe[0] ?? ''} rejected"`,
    'set-cookie': `session=${secrets[0] ?? 'none'}; HttpOnly`,
    location: `https://elsewhere.example/?access_token=${encodeURIComponent(secrets[0] ?? '')}`,
  };
  secrets.forEach((s, i) => {
    if (/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(s)) headers[`x-${s}`] = '1';
    headers[`x-echo-${i}`] = s;
  });
  const json = `{"error":"token_invalid","status":401,"message":"token ${forms.join(' ')} rejected","access_token":"${forms[0] ?? ''}","escaped":[${forms.map((f) => `"${f}"`).join(',')}]`;
  if (cap === undefined || secrets.length === 0) return { headers, body: `${json}}` };
  // The cut: the cap falls 9 characters into this request's victim (past `cnry+` into its core).
  const victim = secrets[request % secrets.length];
  const head = `${json},"cut":"`;
  if (head.length + 9 >= cap) throw new Error(`the echoes (${head.length} characters) do not fit under the cap ${cap}`);
  return { headers, body: `${head}${'x'.repeat(cap - head.length - 9)}${victim} rejected"}`, cut: victim };
}

/** Decodings of a text a reader might apply: JSON escapes, URL and form encoding, base64 runs. */
function readings(text: string): string[] {
  const unescaped = text.replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\\//g, '/');
  const urlDecoded = unescaped.replace(/\+/g, ' ').replace(/%([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  const base64 = [...text.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)].map((m) => Buffer.from(m[0], 'base64').toString('latin1')).join('\n');
  return [text, unescaped, urlDecoded, base64];
}

/** Throws naming the canary, the output and the context when any reading of `text` holds a canary's core or its first 9 characters. */
export function expectNoCanary(canaries: Canary[], where: string, text: string): void {
  const read = readings(text).map((r) => r.toLowerCase());
  for (const c of canaries) {
    const needles = [c.core, c.value.slice(0, 9), c.value.slice(0, 9).replace(/\+/g, ' ')].map((n) => n.toLowerCase());
    for (const r of read) {
      for (const n of needles) {
        const at = r.indexOf(n);
        if (at >= 0) throw new Error(`canary ${c.kind} (${c.core}) leaked into ${where}: ...${r.slice(Math.max(0, at - 160), at + 60)}...`);
      }
    }
  }
}
