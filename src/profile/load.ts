import { pointerTokens } from '../util/json-pointer';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { ErrorObject } from 'ajv';
import { ProfileInvalidError, UnknownVendorError } from '../errors';
import type { RuleRef } from '../types';
import { standardsFile, vendorsDir } from '../util/paths';
import { schemas } from './schemas';
import type { ProfileDoc, RuleDef } from './types';
import { Profile, seedSourceOf } from './profile';

/** A YAML document parsed with positions, so errors can name a line. */
export interface ParsedYaml {
  file: string;
  doc: Document;
  lines: LineCounter;
  value: unknown;
}

export function parseYamlFile(file: string, onError: (message: string) => Error): ParsedYaml {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw onError(`${file}: cannot read: ${(cause as Error).message}`);
  }
  return parseYamlText(text, file, onError);
}

/** YAML text as if read from `file` (for messages), parsed with positions. */
export function parseYamlText(text: string, file: string, onError: (message: string) => Error): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = lines.linePos(first.pos[0]).line;
    throw onError(`${file}:${line}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    // toJS expands aliases, bounded by yaml's maxAliasCount: an alias bomb ends here, named as the file's problem.
    value = doc.toJS();
  } catch (cause) {
    throw onError(`${file}: invalid YAML: ${(cause as Error).message}`);
  }
  return { file, doc, lines, value };
}

/** `file:line` of the node an ajv instancePath points at (the nearest existing ancestor). */
export function locate(parsed: ParsedYaml, instancePath: string): string {
  const keys = pointerTokens(instancePath);
  for (let n = keys.length; n >= 0; n--) {
    const node = parsed.doc.getIn(keys.slice(0, n).map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true);
    if (isNode(node) && node.range) return `${parsed.file}:${parsed.lines.linePos(node.range[0]).line}`;
  }
  return parsed.file;
}

export function describeAjvError(error: ErrorObject): string {
  const where = error.instancePath || '(root)';
  if (error.keyword === 'additionalProperties') {
    return `${where}: unknown property "${(error.params as { additionalProperty: string }).additionalProperty}"`;
  }
  if (error.keyword === 'enum') {
    return `${where}: ${error.message} (${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`;
  }
  return `${where}: ${error.message}`;
}

let standardRules: Record<string, RuleDef> | undefined;

/** Rules from cited standards (FHIR R4, RFC 9110), shared by every profile. */
export function standards(): Record<string, RuleDef> {
  if (!standardRules) {
    const parsed = parseYamlFile(standardsFile(), (m) => new ProfileInvalidError(m));
    standardRules = (parsed.value as { rules: Record<string, RuleDef> }).rules;
  }
  return standardRules;
}

/** Built-in vendor ids, from contracts/vendors/. */
export function vendorIds(): string[] {
  return readdirSync(vendorsDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

const cache = new Map<string, Profile>();
/** User profiles given with `--profile` or a config's `profiles:`, by the id they declare. */
const userProfiles = new Map<string, Profile>();
/** A profile extends a built-in one or a user one, never through more than this many hops. */
const MAX_EXTENDS_DEPTH = 8;

/** Built-in vendor ids and the ids of the user profiles loaded so far. */
export function knownVendorIds(): string[] {
  return [...new Set([...vendorIds(), ...userProfiles.keys()])].sort();
}

/** The user profiles loaded so far (`--profile`, config `profiles:`). */
export function userProfileList(): Profile[] {
  return [...userProfiles.values()];
}

/**
 * Load user profile files and make each one's `id` a vendor id `--vendor` and `loadProfile` know.
 * Relative paths resolve against `baseDir` (the working directory, or the config file's directory).
 */
export function registerProfiles(files: string[], baseDir = process.cwd()): Profile[] {
  return files.map((given) => {
    const file = path.resolve(baseDir, given);
    const profile = loadProfile(file);
    // A vendor id names one contract in every report: a user profile takes an id of its own.
    if (vendorIds().includes(profile.id)) {
      const parsed = parseYamlFile(file, (m) => new ProfileInvalidError(m));
      throw new ProfileInvalidError(`${locate(parsed, '/id')}: profile invalid: id "${profile.id}" is a built-in vendor's: give your profile an id of its own (and \`extends: ${profile.id}\` to build on it)`);
    }
    const other = userProfiles.get(profile.id);
    if (other && other.file !== profile.file) throw new ProfileInvalidError(`${file}: profile invalid: id "${profile.id}" is also the id of ${other.file}`);
    userProfiles.set(profile.id, profile);
    return profile;
  });
}

const isProfileFile = (idOrFile: string): boolean => /\.ya?ml$/i.test(idOrFile) || idOrFile.includes('/') || idOrFile.includes(path.sep);

/** Load a built-in vendor or registered user profile by id, or a profile file by path. Throws ProfileInvalidError / UnknownVendorError. */
export function loadProfile(idOrFile: string, depth = 0): Profile {
  const registered = userProfiles.get(idOrFile);
  if (registered) return registered;
  const isFile = isProfileFile(idOrFile);
  const key = isFile ? path.resolve(idOrFile) : idOrFile;
  const cached = cache.get(key);
  if (cached) return cached;
  const file = isFile ? key : path.join(vendorsDir(), `${idOrFile}.yaml`);
  if (!isFile && !existsSync(file)) {
    const own = userProfiles.size > 0 ? `; your profiles: ${[...userProfiles.keys()].sort().join(', ')}` : '';
    throw new UnknownVendorError(`unknown vendor "${idOrFile}"; built-in vendors: ${vendorIds().join(', ')}${own} (a profile of your own: --profile FILE)`);
  }
  const profile = profileFromYaml(parseYamlFile(file, (m) => new ProfileInvalidError(m)), depth);
  cache.set(key, profile);
  return profile;
}

export function profileFromYaml(parsed: ParsedYaml, depth = 0): Profile {
  const validate = schemas().validator('profile');
  if (!validate(parsed.value)) {
    const first = mostSpecific(validate.errors!);
    throw new ProfileInvalidError(`${locate(parsed, first.instancePath)}: profile invalid: ${describeAjvError(first)}`);
  }
  const own = parsed.value as ProfileDoc;
  const builtIn = path.dirname(path.resolve(parsed.file)) === path.resolve(vendorsDir());
  let doc = own;
  if (own.extends !== undefined) {
    if (own.extends === own.id) throw new ProfileInvalidError(`${locate(parsed, '/extends')}: profile invalid: a profile cannot extend itself`);
    if (depth >= MAX_EXTENDS_DEPTH) throw new ProfileInvalidError(`${locate(parsed, '/extends')}: profile invalid: more than ${MAX_EXTENDS_DEPTH} profiles extend one another (a cycle?)`);
    let base: Profile;
    try {
      base = loadProfile(own.extends, depth + 1);
    } catch (error) {
      if (error instanceof UnknownVendorError) throw new ProfileInvalidError(`${locate(parsed, '/extends')}: profile invalid: extends "${own.extends}": ${error.message}`);
      throw error;
    }
    doc = extendDoc(base.doc, own);
  }
  const problems = crossCheck(doc, builtIn ? undefined : own);
  if (problems.length > 0) {
    const [where, what] = problems[0];
    throw new ProfileInvalidError(`${locate(parsed, where)}: profile invalid: ${what}`);
  }
  return new Profile(doc, { ...standards(), ...doc.rules }, parsed.file);
}

/** A `oneOf`/`if` failure comes with its branches' errors: the deepest one says what is wrong. */
function mostSpecific(errors: ErrorObject[]): ErrorObject {
  const real = errors.filter((e) => e.keyword !== 'if' && e.keyword !== 'oneOf');
  const pool = real.length > 0 ? real : errors;
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), pool[0]);
}

/** Replace list items by id in place, then append the new ones. */
function mergeById<T extends { id: string }>(base: T[] = [], own: T[] = []): T[] {
  const ownById = new Map(own.map((item) => [item.id, item]));
  const merged = base.map((item) => ownById.get(item.id) ?? item);
  return [...merged, ...own.filter((item) => !base.some((b) => b.id === item.id))];
}

/** `extends`: everything of the base, then the profile's own codes, statuses, headers, probes, ids and rules added or put in place. */
export function extendDoc(base: ProfileDoc, own: ProfileDoc): ProfileDoc {
  // An inherited row, header or rule keeps citing the base's document (by its title), whatever the profile's own seed.
  const baseSeed = seedSourceOf(base.seed);
  const inherited = (source: string | undefined): string => (source === undefined || source === baseSeed ? base.document?.title ?? baseSeed : source);
  return {
    ...base,
    ...own,
    extends: own.extends,
    // The base's document is cited through `inherited`: the profile's own seed is not that document.
    document: own.document,
    statuses: { ...base.statuses, ...(own.statuses ?? {}) },
    codes: { ...Object.fromEntries(Object.entries(base.codes).map(([code, def]) => [code, { ...def, source: inherited(def.source) }])), ...(own.codes ?? {}) },
    headers: mergeById(base.headers?.map((h) => ({ ...h, source: inherited(h.source) })), own.headers),
    rules: { ...Object.fromEntries(Object.entries(base.rules).map(([id, def]) => [id, { ...def, source: inherited(def.source) }])), ...(own.rules ?? {}) },
    ids: { ...base.ids, ...(own.ids ?? {}) },
    probes: mergeById(base.probes, own.probes),
  };
}

/** References a schema cannot express: every rule id, code and schema a profile names must exist. */
function crossCheck(doc: ProfileDoc, own?: ProfileDoc): [string, string][] {
  const problems: [string, string][] = [];
  // A user's rule cites where the user found it, as a built-in one cites its seed.
  if (own?.extends !== undefined) {
    for (const [code, def] of Object.entries(own.codes ?? {})) if (!def.source) problems.push([`/codes/${code}`, `code "${code}" needs a source: where it is documented (a URL or a document's title)`]);
  }
  const rules = { ...standards(), ...doc.rules };
  const needRule = (where: string, id: string): void => {
    if (!rules[id]) problems.push([where, `rule "${id}" is not defined in rules: or contracts/standards.yaml`]);
  };
  if (!schemas().has(doc.envelope.schema)) {
    problems.push(['/envelope/schema', `no schema schemas/${doc.envelope.schema}.schema.json`]);
  } else {
    for (const id of schemas().ruleIdsOf(doc.envelope.schema)) needRule('/envelope/schema', id);
  }
  needRule('/envelope/mediaTypeRule', doc.envelope.mediaTypeRule);
  needRule('/statusRule', doc.statusRule);
  needRule('/unknownCode/rule', doc.unknownCode.rule);
  if (doc.envelope.statusField) needRule('/envelope/statusField/rule', doc.envelope.statusField.rule);
  if ('rule' in doc.envelope.code) needRule('/envelope/code/rule', doc.envelope.code.rule);
  for (const [code, def] of Object.entries(doc.codes)) {
    for (const [i, req] of (def.requires ?? []).entries()) needRule(`/codes/${code}/requires/${i}/rule`, req.rule);
    if (doc.envelope.type && !def.type) problems.push([`/codes/${code}`, `code "${code}" needs a type: the envelope has one`]);
  }
  const auth = doc.auth;
  for (const [where, codes] of [['/auth/expiredCodes', auth.expiredCodes], ['/auth/tokenEndpoint/refusedCodes', auth.tokenEndpoint?.refusedCodes]] as const) {
    for (const code of codes ?? []) if (!doc.codes[code]) problems.push([where, `code "${code}" is not in codes:`]);
  }
  for (const code of doc.mock?.serverErrors ?? []) if (!doc.codes[code]) problems.push(['/mock/serverErrors', `code "${code}" is not in codes:`]);
  for (const [i, grade] of (doc.grading ?? []).entries()) needRule(`/grading/${i}/rule`, grade.rule);
  const probeIds = new Set<string>();
  for (const [i, probe] of doc.probes.entries()) {
    if (probeIds.has(probe.id)) problems.push([`/probes/${i}/id`, `probe id "${probe.id}" is used twice`]);
    probeIds.add(probe.id);
    needRule(`/probes/${i}/rule`, probe.rule);
    for (const code of probe.expect.codes ?? []) {
      if (!doc.codes[code]) problems.push([`/probes/${i}/expect/codes`, `code "${code}" is not in codes:`]);
    }
    for (const name of probe.path.match(/\{([^}]+)\}/g) ?? []) {
      if (doc.ids[name.slice(1, -1)] === undefined) problems.push([`/probes/${i}/path`, `no id named ${name} in ids:`]);
    }
  }
  return problems;
}

export function ruleRef(rules: Record<string, RuleDef>, id: string): RuleRef {
  const def = rules[id];
  return { id, source: def?.source ?? 'unknown', text: def?.text ?? '' };
}
