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
import { Profile } from './profile';

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
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = lines.linePos(first.pos[0]).line;
    throw onError(`${file}:${line}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  return { file, doc, lines, value: doc.toJS() };
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

/** Load a built-in vendor by id, or a profile file by path. Throws ProfileInvalidError / UnknownVendorError. */
export function loadProfile(idOrFile: string): Profile {
  const cached = cache.get(idOrFile);
  if (cached) return cached;
  const isFile = idOrFile.endsWith('.yaml') || idOrFile.endsWith('.yml') || idOrFile.includes(path.sep);
  const file = isFile ? path.resolve(idOrFile) : path.join(vendorsDir(), `${idOrFile}.yaml`);
  if (!isFile && !existsSync(file)) {
    throw new UnknownVendorError(`unknown vendor "${idOrFile}"; built-in vendors: ${vendorIds().join(', ')}`);
  }
  const profile = profileFromYaml(parseYamlFile(file, (m) => new ProfileInvalidError(m)));
  cache.set(idOrFile, profile);
  return profile;
}

export function profileFromYaml(parsed: ParsedYaml): Profile {
  const validate = schemas().validator('profile');
  if (!validate(parsed.value)) {
    const first = validate.errors![0];
    throw new ProfileInvalidError(`${locate(parsed, first.instancePath)}: profile invalid: ${describeAjvError(first)}`);
  }
  const doc = parsed.value as ProfileDoc;
  const problems = crossCheck(doc);
  if (problems.length > 0) {
    const [where, what] = problems[0];
    throw new ProfileInvalidError(`${locate(parsed, where)}: profile invalid: ${what}`);
  }
  return new Profile(doc, { ...standards(), ...doc.rules }, parsed.file);
}

/** References a schema cannot express: every rule id, code and schema a profile names must exist. */
function crossCheck(doc: ProfileDoc): [string, string][] {
  const problems: [string, string][] = [];
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
