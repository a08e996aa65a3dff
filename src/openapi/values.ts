import type { ApiOperation, ApiParameter } from './operations';

/** `getPatientById`, `Patient.read`, `/patients/{id}` -> `get-patient-by-id`, `patient-read`, `patients-id`. */
export function kebab(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The stable base of every id derived from an operation: its operationId, else method and path. */
export function operationSlug(op: Pick<ApiOperation, 'operationId' | 'method' | 'path'>): string {
  return kebab(op.operationId ?? '') || `${op.method.toLowerCase()}-${pathSlug(op.path)}`;
}

export function pathSlug(path: string): string {
  return kebab(path) || 'root';
}

/** Hands out ids once: a repeated one gets `-2`, `-3`... Ids are JUnit names, so they must be unique in a run. */
export class IdAllocator {
  private readonly taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.taken = new Set(taken);
  }

  take(id: string): string {
    let candidate = id;
    for (let n = 2; this.taken.has(candidate); n++) candidate = `${id}-${n}`;
    this.taken.add(candidate);
    return candidate;
  }
}

const squash = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The segment before `{name}` in a path, singular: `/patients/{id}` -> `patient`. */
function resourceBefore(path: string, name: string): string | undefined {
  const segments = path.split('/').filter(Boolean);
  const at = segments.indexOf(`{${name}}`);
  const before = at > 0 ? segments[at - 1] : undefined;
  if (!before || before.includes('{')) return undefined;
  return squash(before).replace(/(ies)$/, 'y').replace(/s$/, '');
}

/** A value as a path or query holds it: a placeholder naming a profile id (overridable in --config), or a literal. */
export interface ParamValue {
  /** What goes into the probe path: `{unknownPatientId}` or an URL-encoded literal. */
  text: string;
}

const literal = (value: unknown): ParamValue => ({ text: encodeURIComponent(typeof value === 'string' ? value : JSON.stringify(value)) });

/** The profile id whose name matches one of these (case and punctuation ignored), as a placeholder. */
function profileId(ids: Record<string, string>, ...names: (string | undefined)[]): ParamValue | undefined {
  const wanted = names.filter((n): n is string => Boolean(n)).map(squash);
  const key = Object.keys(ids).find((k) => wanted.includes(squash(k)));
  return key === undefined ? undefined : { text: `{${key}}` };
}

function schemaHints(param: ApiParameter): { uuid: boolean; integer: boolean } {
  const schema = param.schema ?? {};
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return { uuid: schema.format === 'uuid', integer: types.includes('integer') || types.includes('number') };
}

/** A value the target should know: the document's example, else a profile id of that name, else a plausible literal. */
export function knownValue(param: ApiParameter, path: string, ids: Record<string, string>): ParamValue {
  const schema = param.schema ?? {};
  const example = [...param.examples, schema.default, Array.isArray(schema.enum) ? schema.enum[0] : undefined].find((v) => v !== undefined && v !== null);
  if (example !== undefined) return literal(example);
  const resource = resourceBefore(path, param.name);
  const fromProfile = profileId(ids, param.name, resource && `${resource}Id`);
  if (fromProfile) return fromProfile;
  const hints = schemaHints(param);
  return literal(hints.uuid ? '00000000-0000-4000-8000-000000000001' : hints.integer ? '1' : 'errspec-example');
}

/** A value no resource has: the profile's `unknown<Name>` id when it has one, else a literal of the right shape. */
export function unknownValue(param: ApiParameter, path: string, ids: Record<string, string>): ParamValue {
  const resource = resourceBefore(path, param.name);
  // The document's example may be a profile id's value (nhsNumber 9000000009): its unknown sibling has the right shape.
  const example = param.examples.find((v) => typeof v === 'string' || typeof v === 'number');
  const sameValue = example === undefined ? undefined : Object.keys(ids).find((k) => ids[k] === String(example));
  const fromProfile = profileId(ids, `unknown${param.name}`, resource && `unknown${resource}Id`, sameValue && `unknown${sameValue}`);
  if (fromProfile) return fromProfile;
  const hints = schemaHints(param);
  return literal(hints.uuid ? '00000000-0000-4000-8000-000000000000' : hints.integer ? '999999999' : `errspec-unknown-${kebab(param.name) || 'id'}`);
}

/** Headers errspec sets itself: a required parameter of that name is not copied from the document. */
const OWN_HEADERS = new Set(['authorization', 'content-type', 'accept', 'accept-encoding', 'content-length', 'host', 'user-agent']);

/** Required header parameters with a value the target should accept: the document's example, else one of the right shape. */
export function requiredHeaders(op: ApiOperation): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const param of op.parameters.filter((p) => p.in === 'header' && p.required && !OWN_HEADERS.has(p.name.toLowerCase()))) {
    const example = [...param.examples, param.schema?.default].find((v) => v !== undefined && v !== null);
    const hints = schemaHints(param);
    headers[param.name.toLowerCase()] = example !== undefined ? String(example) : hints.uuid ? '00000000-0000-4000-8000-000000000001' : hints.integer ? '1' : 'errspec';
  }
  return headers;
}

/**
 * The probe path of an operation: path parameters filled (`unknown` names the ones to fill with unknown
 * values), required query parameters appended with known values, and the server's path prefix in front.
 */
export function probePath(op: ApiOperation, ids: Record<string, string>, prefix: string, unknown: ReadonlySet<string> = new Set()): string {
  let filled = op.path;
  for (const param of op.parameters.filter((p) => p.in === 'path')) {
    const value = unknown.has(param.name) ? unknownValue(param, op.path, ids) : knownValue(param, op.path, ids);
    filled = filled.split(`{${param.name}}`).join(value.text);
  }
  const query = op.parameters
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${encodeURIComponent(p.name)}=${knownValue(p, op.path, ids).text}`);
  const joined = `${prefix.replace(/\/+$/, '')}${filled.startsWith('/') ? filled : `/${filled}`}`;
  return query.length > 0 ? `${joined}${joined.includes('?') ? '&' : '?'}${query.join('&')}` : joined;
}
