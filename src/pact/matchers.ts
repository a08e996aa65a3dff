import { escapeToken } from '../util/json-pointer';
import { Matchers, type MinLikeMatcher } from '@pact-foundation/pact';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import { schemas } from '../profile/schemas';

/** A JSON Schema node, as far as the matcher derivation reads it. */
interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  minItems?: number;
  $defs?: Record<string, SchemaNode>;
}

/** Pointer patterns (`*` for any array index) that steer the walk through a documented body. */
interface Focus {
  /** Matchers that replace what the schema alone would give, by pointer pattern. */
  overrides: Map<string, (example: unknown) => unknown>;
  /** Paths kept although the schema calls them optional: the code lives there or the code requires them. */
  keep: string[];
  /** Arrays the code is found in: they must contain the documented item, other items may come along. */
  containing: Set<string>;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex matching exactly one of `values`. */
export const oneOf = (values: readonly string[]): string => `^(${values.map(escapeRegex).join('|')})$`;

/** RFC 9110 delay-seconds: what errspec's contracts promise for Retry-After (1*DIGIT). */
export const DELAY_SECONDS = '^[0-9]+$';

/** Any value at all, null included: Pact has no "string or null" matcher, and a regex applies to both. */
const ANY_SCALAR = '^[\\s\\S]*$';

const patternOf = (pointer: string): string => pointer.replace(/\/\d+(?=\/|$)/g, '/*');

/**
 * The codes a contract allows at a status: those the vendor's table pairs with it, else (a vendor whose
 * codes carry no status, like medblocks) the codes the probe was built to provoke. Undefined: any code.
 */
export function allowedCodes(profile: Profile, probe: ProbeDef, status: number): string[] | undefined {
  const paired = Object.entries(profile.doc.codes).filter(([, def]) => def.status.includes(status)).map(([code]) => code);
  if (paired.length > 0) return paired;
  return probe.expect.codes && probe.expect.codes.length > 0 ? [...probe.expect.codes] : undefined;
}

function focusFor(profile: Profile, probe: ProbeDef): Focus {
  const { envelope } = profile.doc;
  const status = probe.mock.status;
  const codes = allowedCodes(profile, probe, status);
  const focus: Focus = { overrides: new Map(), keep: [], containing: new Set() };
  const override = (pointer: string, matcher: (example: unknown) => unknown): void => {
    focus.overrides.set(patternOf(pointer), matcher);
    focus.keep.push(patternOf(pointer));
  };
  const codeMatcher = (example: unknown) => Matchers.regex(oneOf(codes!), String(example));
  const locator = envelope.code;
  if ('pointer' in locator) {
    if (codes) override(locator.pointer, codeMatcher);
    else focus.keep.push(patternOf(locator.pointer));
  } else if (locator.extractor === 'issue-code') {
    // errspec reads the code of the first issue of severity error or fatal.
    override('/issue/*/severity', (example) => Matchers.regex(oneOf(['fatal', 'error']), String(example)));
    if (codes) override('/issue/*/code', codeMatcher);
    focus.containing.add('/issue');
  } else {
    override('/issue/*/details/coding/*/system', (example) => Matchers.regex(oneOf([...locator.systems, ...(locator.deprecatedSystems ?? [])]), String(example)));
    if (codes) override('/issue/*/details/coding/*/code', codeMatcher);
    else focus.keep.push('/issue/*/details/coding/*/code');
    focus.containing.add('/issue');
    focus.containing.add('/issue/*/details/coding');
  }
  if (envelope.type && codes) {
    const types = [...new Set(codes.map((c) => profile.codeDef(c)?.type).filter((t): t is string => Boolean(t)))];
    if (types.length > 0) override(envelope.type.pointer, (example) => Matchers.regex(oneOf(types), String(example)));
  }
  if (envelope.statusField) override(envelope.statusField.pointer, (example) => Matchers.equal(example));
  const exampleCode = profile.envelopeFacts(probe.mock.body).code;
  for (const req of (exampleCode ? profile.codeDef(exampleCode)?.requires : undefined) ?? []) focus.keep.push(patternOf(req.pointer));
  return focus;
}

function resolve(node: SchemaNode | undefined, root: SchemaNode): SchemaNode {
  return (schemas().deref(root as Record<string, unknown>, node as Record<string, unknown> | undefined).node ?? {}) as SchemaNode;
}

const typesOf = (node: SchemaNode): string[] => (node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type]);

/**
 * A type matcher on an array that keeps every documented item as the example (eachLike would keep one);
 * the first item's matchers apply to every item (`[*]`), the others are plain examples.
 */
function minLike(items: unknown[], min: number): MinLikeMatcher<unknown[]> {
  return { 'pact:matcher:type': 'type', min, value: [items[0], ...items.slice(1).map((item) => Matchers.reify(item))] };
}

function walk(value: unknown, node: SchemaNode | undefined, pattern: string, root: SchemaNode, focus: Focus): unknown {
  const fixed = focus.overrides.get(pattern);
  if (fixed) return fixed(value);
  const schema = resolve(node, root);
  if (schema.const !== undefined) return Matchers.equal(value);
  if (Array.isArray(schema.enum) && typeof value === 'string' && schema.enum.every((v) => typeof v === 'string')) {
    return Matchers.regex(oneOf(schema.enum as string[]), value);
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => walk(item, schema.items, `${pattern}/*`, root, focus));
    if (focus.containing.has(pattern)) return Matchers.arrayContaining(...items);
    return items.length === 0 ? Matchers.like([]) : minLike(items, Math.max(1, schema.minItems ?? 1));
  }
  if (value !== null && typeof value === 'object') {
    const required = new Set(schema.required ?? []);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childPattern = `${pattern}/${escapeToken(key)}`;
      const kept = required.has(key) || focus.keep.some((k) => k === childPattern || k.startsWith(`${childPattern}/`));
      // What errspec does not rely on stays out of the contract: an optional field a provider omits breaks nothing.
      if (kept) out[key] = walk(child, schema.properties?.[key], childPattern, root, focus);
    }
    return out;
  }
  const types = typesOf(schema);
  if (types.includes('null') && types.length > 1) return { 'pact:matcher:type': 'regex', regex: ANY_SCALAR, value };
  if (typeof value === 'string') return Matchers.string(value);
  if (typeof value === 'number') return Number.isInteger(value) && !types.includes('number') ? Matchers.integer(value) : Matchers.number(value);
  if (typeof value === 'boolean') return Matchers.boolean(value);
  return Matchers.nullValue();
}

/**
 * The documented error body of a probe with matchers from the profile and the envelope schema: the code as
 * a regex of the codes allowed at that status, the type (medblocks) as a regex of their types, a status
 * field equal to the status, schema enums and consts as such, every other field by type. Fields the schema
 * leaves optional are left out unless the code lives in them or requires them.
 */
export function responseBodyTemplate(profile: Profile, probe: ProbeDef): unknown {
  const root = (schemas().schema(profile.doc.envelope.schema) ?? {}) as SchemaNode;
  return walk(probe.mock.body, root, '', root, focusFor(profile, probe));
}

const headerValue = (headers: Record<string, string> | undefined, name: string): string | undefined =>
  Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

/**
 * The documented error's headers with matchers: Content-Type as a regex of the envelope's media types, and
 * every header the vendor promises at that status (Retry-After as delay-seconds, X-RateLimit-* as digits,
 * exact where the vendor states the value). Headers the vendor does not promise are left out.
 */
export function responseHeadersTemplate(profile: Profile, probe: ProbeDef): Record<string, unknown> {
  const { envelope } = profile.doc;
  const mediaTypes = [...envelope.mediaTypes, ...(envelope.toleratedMediaTypes ?? [])];
  const headers: Record<string, unknown> = {
    'Content-Type': Matchers.regex(`${oneOf(mediaTypes).slice(0, -1)}(\\s*;.*)?$`, headerValue(probe.mock.headers, 'content-type') ?? envelope.mediaTypes[0]),
  };
  for (const rule of profile.headerRules(probe.mock.status)) {
    const example = headerValue(probe.mock.headers, rule.name);
    if (!rule.required || example === undefined) continue;
    headers[rule.name] = rule.equals !== undefined ? rule.equals : rule.format ? Matchers.regex(DELAY_SECONDS, example) : Matchers.string(example);
  }
  return headers;
}
