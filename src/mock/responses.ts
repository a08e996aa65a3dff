import type { Profile } from '../profile/profile';
import type { MockResponseDef } from '../profile/types';

/** The request header a client's test uses to ask for one documented error: `Prefer: errspec-error=<code>`. */
export const PREFER_TOKEN = 'errspec-error';

/** One error a client can ask for, as `errspec mock --list` prints it. */
export interface ErrorName {
  name: string;
  status: number;
  description: string;
}

/** A response ready to write: headers lower-cased (content-length included), body serialised once. */
export interface Prepared {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Serialise a documented answer once; the hot path writes the bytes. */
export function prepare(response: MockResponseDef, mediaType: string): Prepared {
  // A 204 has no body (RFC 9110 §15.3.5), so no media type either.
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(response.body));
  const headers: Record<string, string> = {
    ...(response.body === undefined ? {} : { 'content-type': mediaType }), ...lower(response.headers ?? {}), 'content-length': String(body.length),
  };
  return { status: response.status, headers, body };
}

export function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The description column of a code's row (`code | status | description`; of the row at `status` where the text holds several), else the row itself. */
function descriptionOf(text: string, status?: number): string {
  const row = text.split(/(?=\b[1-5][0-9]{2}: )/).find((r) => status !== undefined && r.startsWith(`${status}: `)) ?? text;
  const cells = row.split('|').map((c) => c.trim()).filter(Boolean);
  return cells[cells.length - 1] ?? text;
}

/** The status the mock answers a code with: its one documented status, else the profile's mock tables. */
function statusOf(profile: Profile, code: string): number | undefined {
  const def = profile.codeDef(code)!;
  const mock = profile.doc.mock ?? {};
  if (def.status.length === 1) return def.status[0];
  if (mock.statuses?.[code] !== undefined) return mock.statuses[code];
  if (def.status.length > 1) return def.status[0];
  if (def.type && mock.typeStatuses?.[def.type] !== undefined) return mock.typeStatuses[def.type];
  return undefined;
}

/** Fill `{name}` placeholders in every string of a template; a string that is exactly `{status}` becomes the number. */
function fill(template: unknown, vars: Record<string, string | number>): unknown {
  if (typeof template === 'string') {
    if (template === '{status}') return vars.status;
    return template.replace(/\{([A-Za-z]+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])));
  }
  if (Array.isArray(template)) return template.map((item) => fill(item, vars));
  if (template && typeof template === 'object') return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, fill(v, vars)]));
  return template;
}

/** Every documented answer the profile holds (probes' and the token endpoint's), by the code it carries. */
function documentedAnswers(profile: Profile): Map<string, MockResponseDef> {
  const answers = new Map<string, MockResponseDef>();
  const token = profile.doc.auth.tokenEndpoint?.mock;
  const all = [...profile.probes.map((p) => p.mock), ...(token ? [token.expired, token.refused] : []), ...(profile.doc.serverError ? [profile.doc.serverError] : [])];
  for (const answer of all) {
    const code = profile.envelopeFacts(answer.body).code;
    if (code && profile.codeDef(code) && !answers.has(code) && statusOf(profile, code) === answer.status) answers.set(code, answer);
  }
  return answers;
}

/**
 * The answer to `Prefer: errspec-error=<code>` for every documented code: the profile's own documented answer
 * carrying that code where it has one (the vendor document's example), else the profile's `mock.errorBody`
 * filled for the code, at the code's status, with the headers the profile gives that status (a 429 takes the
 * rate-limit probe's). A code the profile can give no status or body for is left out.
 */
export function codeAnswers(profile: Profile): Map<string, MockResponseDef> {
  const documented = documentedAnswers(profile);
  const mock = profile.doc.mock ?? {};
  const burst = profile.probes.find((p) => p.burst)?.mock;
  const answers = new Map<string, MockResponseDef>();
  for (const code of profile.codes()) {
    const status = statusOf(profile, code);
    if (status === undefined) continue;
    const known = documented.get(code);
    if (known) {
      answers.set(code, known);
      continue;
    }
    if (mock.errorBody === undefined) continue;
    const def = profile.codeDef(code)!;
    const vars = { code, status, message: descriptionOf(def.text, status), ...(def.type ? { type: def.type } : {}), ...(mock.fields?.[code] ?? {}) };
    const headers = { ...(status === 429 ? burst?.headers ?? {} : {}), ...(mock.headers?.[String(status)] ?? {}) };
    answers.set(code, { status, ...(Object.keys(headers).length > 0 ? { headers } : {}), body: fill(mock.errorBody, vars) });
  }
  return answers;
}

/** What `--list` prints: every name `Prefer: errspec-error=` takes, with its status and the document's words. */
export function errorNames(profile: Profile, answers: Map<string, MockResponseDef>): ErrorName[] {
  return [...answers].map(([name, answer]) => ({ name, status: answer.status, description: descriptionOf(profile.codeDef(name)?.text ?? '', answer.status) }));
}

/** The 5xx answers of the server-error fault, in turn: the profile's `mock.serverErrors` codes, else its `serverError`. */
export function serverErrors(profile: Profile, answers: Map<string, MockResponseDef>): MockResponseDef[] {
  const named = (profile.doc.mock?.serverErrors ?? []).map((code) => answers.get(code)).filter((a): a is MockResponseDef => a !== undefined);
  if (named.length > 0) return named;
  return [profile.doc.serverError ?? { status: 500, body: {} }];
}

/** The name a `Prefer` header asks for (RFC 7240: comma-separated preferences, `name=value`, value maybe quoted). */
export function preferredError(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const preference of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [token, ...rest] = preference.split(';')[0].split('=');
    if (token.trim().toLowerCase() !== PREFER_TOKEN) continue;
    return rest.join('=').trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/** The mock's own refusal of a name it does not know: not a vendor error, so it says which names are valid. */
export function unknownName(name: string, names: string[]): MockResponseDef {
  return {
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: {
      error: 'errspec_unknown_error_name',
      message: `Prefer: ${PREFER_TOKEN}=${name} names no documented error of this vendor; valid names: ${names.join(', ')}`,
      valid: names,
    },
  };
}
