import path from 'node:path';
import { Document, isMap, isSeq, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { Profile } from '../profile/profile';
import { Profile as ProfileClass } from '../profile/profile';
import type { CodeDef, HeaderRuleDef, MockResponseDef, ProbeDef, ProfileDoc, RuleDef } from '../profile/types';
import { getPointer, pointerTokens } from '../util/json-pointer';
import { deriveCandidates } from './derive';
import type { LoadedApi } from './load';
import { isJsonMediaType, type ApiOperation, type SchemaNode } from './operations';
import { serverPath, unfollowedNote } from './plan';
import { derefOrUndefined } from './resolve';
import { IdAllocator, kebab, probePath } from './values';
import { mediaTypeEssence } from '../util/media-type';

export interface InitOptions {
  /** The profile's id (kebab-case): its vendor id on every command. */
  id: string;
  /** A vendor the profile builds on: its envelope, auth and rules are inherited, the document's codes and statuses added. */
  base?: Profile;
  /** Rules standards.yaml defines (the problem-details ones), so a generated profile can cite them. */
  standards: Record<string, RuleDef>;
}

export interface GeneratedProfile {
  /** The commented YAML, as written to the file. */
  text: string;
  doc: ProfileDoc;
  notes: string[];
}

const PROBLEM_JSON = 'application/problem+json';

interface ErrorResponse {
  op: ApiOperation;
  status: number;
  description?: string;
  media: { type: string; schema?: SchemaNode; examples: unknown[] }[];
  headers: { name: string; required: boolean }[];
}

/**
 * A first draft of a profile from a document's declared error responses: the envelope (RFC 9457 problem details
 * when the errors are application/problem+json, else the base vendor's), codes and their statuses (the code
 * member's `enum` per response, and examples), required response headers, media types, and probes derived from
 * the operations, each `heuristic` unless the operation declares the status it expects.
 */
export function profileFromOpenApi(api: LoadedApi, operations: ApiOperation[], options: InitOptions): GeneratedProfile {
  const notes: string[] = [];
  const responses = errorResponses(operations);
  const info = (api.doc.info ?? {}) as { title?: string; version?: string };
  const title = info.title ?? path.basename(api.file);
  const source = `${title}${info.version ? ` ${info.version}` : ''} (OpenAPI, ${path.basename(api.file)})`;
  const mediaTypes = [...new Set(responses.flatMap((r) => r.media.map((m) => mediaTypeEssence(m.type))))];
  const problem = !options.base && (mediaTypes.includes(PROBLEM_JSON) || mediaTypes.length === 0);
  if (!options.base && !problem) notes.push(`the error responses are ${mediaTypes.join(', ')}, not ${PROBLEM_JSON}: the envelope is checked as RFC 9457 problem details; review it, or generate with --extends VENDOR`);
  const id = options.id;
  const rules: Record<string, RuleDef> = {
    [`${id}.documented-status`]: { source, text: 'The error statuses and codes each operation of the document declares' },
  };
  const baseCode = options.base?.doc.envelope.code;
  // The code member: the base vendor's pointer, or the error schemas' member with an enum.
  const codePointer = baseCode ? ('pointer' in baseCode ? baseCode.pointer : undefined) : codeMember(api, responses) ?? '/code';
  const envelope: ProfileDoc['envelope'] | undefined = options.base
    ? undefined
    : {
        schema: 'problem-details',
        mediaTypes: problem ? [PROBLEM_JSON] : mediaTypes,
        mediaTypeRule: problem ? 'rfc9457.media-type' : `${id}.media-type`,
        code: { pointer: codePointer ?? '/code' },
        statusField: { pointer: '/status', rule: 'rfc9457.status', optional: true },
      };
  if (envelope && !problem) rules[`${id}.media-type`] = { source, text: `Error responses are ${mediaTypes.join(' or ')}` };

  const statuses: Record<string, string> = {};
  const codes: Record<string, CodeDef> = {};
  const facts = (body: unknown): string | undefined => {
    if (options.base) return options.base.envelopeFacts(body).code;
    const value = getPointer(body, codePointer!);
    return typeof value === 'string' ? value : undefined;
  };
  for (const r of responses) {
    statuses[String(r.status)] ??= r.description ?? `declared by ${r.op.method} ${r.op.path}`;
    const found = new Set<string>();
    for (const media of r.media) {
      if (codePointer) for (const value of enumAt(api, media.schema, codePointer)) found.add(value);
      for (const example of media.examples) {
        const code = facts(example);
        if (code) found.add(code);
      }
    }
    for (const code of found) {
      const def = (codes[code] ??= { status: [], text: `${code}`, source: `${source}: ${r.op.method} ${r.op.path} ${r.status}` });
      if (!def.status.includes(r.status)) def.status.push(r.status);
    }
  }
  for (const [code, def] of Object.entries(codes)) {
    def.status.sort((a, b) => a - b);
    def.text = `${def.status.join(', ')}: ${code} | ${def.status.map((s) => statuses[String(s)]).filter(Boolean).join('; ')}`;
  }
  const headers = headerRules(id, responses, source);
  const base = options.base?.doc;
  const statusRule = `${id}.documented-status`;
  const documentedCodes = Object.keys(codes).length > 0;
  const draft: ProfileDoc = {
    id,
    ...(base ? { extends: base.id } : {}),
    title,
    seed: source,
    auth: base?.auth ?? authOf(api),
    envelope: envelope ?? base!.envelope,
    statuses: { ...(base?.statuses ?? {}), ...statuses },
    statusRule,
    // Codes the document enumerates are the whole list: another code at a status that lists some is drift.
    unknownCode: { outcome: documentedCodes ? 'fail' : 'warn', rule: statusRule },
    codes: { ...(base?.codes ?? {}), ...codes },
    headers: [...(base?.headers ?? []), ...headers],
    rules: { ...(base?.rules ?? {}), ...rules },
    ids: { ...(base?.ids ?? {}) },
    probes: base ? [...base.probes] : [],
  };
  if (!documentedCodes) notes.push('the document enumerates no error codes: unknown codes warn; add them under codes:');
  const draftProfile = new ProfileClass(draft, { ...options.standards, ...draft.rules }, api.file);
  const probes = deriveProbes(api, operations, draftProfile, responses, facts);
  if (probes.length === 0) throw new Error('no probe could be derived from the document');
  const unfollowed = unfollowedNote(api, operations);
  if (unfollowed) notes.push(unfollowed.replace(/^openapi: /, ''));

  const own: ProfileDoc = base
    ? ({ id, extends: base.id, title, seed: source, statuses, codes, headers, rules, probes } as ProfileDoc)
    : { ...draft, probes };
  if (base) {
    // What the document adds and nothing else: an empty section would only repeat the base.
    const partial = own as Partial<ProfileDoc>;
    if (headers.length === 0) delete partial.headers;
    if (Object.keys(codes).length === 0) delete partial.codes;
    if (Object.keys(statuses).length === 0) delete partial.statuses;
  }
  return { text: render(own, api, notes), doc: own, notes };
}

/** Every declared 4xx/5xx response with an exact status, in document order. */
function errorResponses(operations: ApiOperation[]): ErrorResponse[] {
  return operations.flatMap((op) => op.responses
    .filter((r) => /^[45]\d\d$/.test(r.status))
    .map((r): ErrorResponse => ({ op, status: Number(r.status), ...(r.description ? { description: r.description } : {}), media: r.content, headers: r.headers })));
}

/** Properties of an object schema with `allOf` members merged in. */
function propertiesOf(api: LoadedApi, raw: unknown, depth = 0): Record<string, SchemaNode> {
  const node = derefOrUndefined<SchemaNode>(api.doc, raw);
  if (!node || depth > 8) return {};
  const props: Record<string, SchemaNode> = {};
  for (const member of Array.isArray(node.allOf) ? node.allOf : []) Object.assign(props, propertiesOf(api, member, depth + 1));
  for (const [name, value] of Object.entries((node.properties as Record<string, unknown>) ?? {})) props[name] = derefOrUndefined<SchemaNode>(api.doc, value) ?? {};
  return props;
}

/** The top-level member of the error schemas that carries an `enum`: the machine-readable code. */
function codeMember(api: LoadedApi, responses: ErrorResponse[]): string | undefined {
  const counts = new Map<string, number>();
  for (const media of responses.flatMap((r) => r.media.filter((m) => isJsonMediaType(m.type)))) {
    for (const [name, prop] of Object.entries(propertiesOf(api, media.schema))) {
      if (name !== 'status' && name !== 'type' && (Array.isArray(prop.enum) || prop.const !== undefined)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
  return best ? `/${best[0]}` : undefined;
}

/** The `enum` (or `const`) of the schema's member at a one-level pointer. */
function enumAt(api: LoadedApi, schema: SchemaNode | undefined, pointer: string): string[] {
  const [name, ...rest] = pointerTokens(pointer);
  if (name === undefined || rest.length > 0) return [];
  const prop = propertiesOf(api, schema)[name];
  if (!prop) return [];
  const values = Array.isArray(prop.enum) ? prop.enum : prop.const !== undefined ? [prop.const] : [];
  return values.filter((v): v is string => typeof v === 'string');
}

const HEADER_FORMATS: Record<string, HeaderRuleDef['format']> = {
  'retry-after': 'retry-after',
  'x-ratelimit-limit': 'integer',
  'x-ratelimit-remaining': 'integer',
};

/** One header rule per header name and promise (required or not), on every status that declares it so. */
function headerRules(id: string, responses: ErrorResponse[], source: string): HeaderRuleDef[] {
  const groups = new Map<string, HeaderRuleDef>();
  for (const r of responses) {
    for (const h of r.headers) {
      const key = `${h.name.toLowerCase()}|${h.required}`;
      const rule = groups.get(key) ?? {
        id: `${id}.header.${kebab(h.name)}${h.required ? '' : '-optional'}`,
        on: [],
        name: h.name,
        required: h.required,
        ...(HEADER_FORMATS[h.name.toLowerCase()] ? { format: HEADER_FORMATS[h.name.toLowerCase()] } : {}),
        source,
        text: '',
      };
      if (!rule.on.includes(r.status)) rule.on.push(r.status);
      groups.set(key, rule);
    }
  }
  return [...groups.values()].map((rule) => ({ ...rule, on: rule.on.sort((a, b) => a - b), text: `${rule.name} is declared${rule.required ? ' required' : ''} on ${rule.on.join(', ')} responses` }));
}

function authOf(api: LoadedApi): ProfileDoc['auth'] {
  const schemes = Object.values((api.doc.components?.securitySchemes ?? {}) as Record<string, unknown>).map((s) => derefOrUndefined<{ type?: string; in?: string; name?: string }>(api.doc, s));
  const apiKey = schemes.find((s) => s?.type === 'apiKey' && s.in === 'header' && s.name);
  return apiKey ? { scheme: 'api-key', header: apiKey.name } : { scheme: 'bearer' };
}

/** The derived probes, each with the status its operation declares (documented) or errspec's guess (heuristic), and a mock answer. */
function deriveProbes(api: LoadedApi, operations: ApiOperation[], profile: Profile, responses: ErrorResponse[], codeOf: (body: unknown) => string | undefined): ProbeDef[] {
  // An extending profile's probes must not replace the base's of the same id.
  const unique = new IdAllocator(profile.probes.map((p) => p.id));
  const { groups } = deriveCandidates(profile, operations, { ids: {}, pathPrefix: serverPath(api) }, unique);
  const probes: ProbeDef[] = [];
  for (const { kind, probe, operations: from } of groups.flat()) {
    const declared = (status: number) => responses.find((r) => from.includes(r.op) && r.status === status);
    const statuses = kind === 'undeclared-method' ? [405, 404] : kind === 'malformed-body' ? [400, 422] : kind === 'unknown-id' ? [404] : [401];
    const hit = statuses.map(declared).find(Boolean);
    const status = hit?.status ?? statuses[0];
    probes.push({
      ...probe,
      expect: { status: kind === 'undeclared-method' && !hit ? [404, 405] : [status] },
      basis: hit ? 'documented' : 'heuristic',
      rule: profile.doc.statusRule,
      // On a base vendor, the answer of its closest probe is in the vendor's envelope already.
      mock: profile.doc.extends && probe.mock.status === status && !hit?.media.some((m) => m.examples.length > 0) ? probe.mock : mockAnswer(profile, hit, status, codeOf, [...new Set(from.map((o) => o.method))]),
    });
  }
  const burst = responses.find((r) => r.status === 429 && r.op.method === 'GET');
  if (burst) {
    probes.push({
      id: unique.take('rate-limited'),
      title: `A burst of GET ${burst.op.path} until the first 429`,
      method: 'GET',
      path: probePath(burst.op, {}, serverPath(api)),
      auth: 'valid',
      expect: { status: [429] },
      basis: 'documented',
      burst: true,
      rule: profile.doc.statusRule,
      mock: mockAnswer(profile, burst, 429, codeOf),
    });
  }
  return probes;
}

/** What the embedded mock answers: the document's example for that response, else a problem details object of its codes. */
function mockAnswer(profile: Profile, response: ErrorResponse | undefined, status: number, codeOf: (body: unknown) => string | undefined, allow: string[] = ['GET']): MockResponseDef {
  const type = profile.doc.envelope.mediaTypes[0];
  const headers: Record<string, string> = { 'content-type': type };
  // HTTP's own MUSTs first (RFC 9110 §15.5.2, §15.5.6), then a plausible value for each header the document declares.
  if (status === 401) headers['WWW-Authenticate'] = profile.doc.auth.scheme === 'bearer' ? 'Bearer realm="api"' : 'ApiKey realm="api"';
  if (status === 405) headers.Allow = allow.join(', ');
  for (const rule of profile.headerRules(status)) {
    if (Object.keys(headers).some((h) => h.toLowerCase() === rule.name.toLowerCase())) continue;
    headers[rule.name] = rule.format === 'retry-after' ? '1' : rule.format === 'integer' ? '0' : 'errspec';
  }
  const example = response?.media.flatMap((m) => m.examples).find((e) => e && typeof e === 'object' && (codeOf(e) === undefined || profile.codeDef(codeOf(e)!)?.status.includes(status)));
  if (example !== undefined) return { status, headers, body: example };
  const code = profile.codesAt(status)[0];
  const pointer = 'pointer' in profile.doc.envelope.code ? profile.doc.envelope.code.pointer : undefined;
  const body: Record<string, unknown> = { type: 'about:blank', title: profile.doc.statuses[String(status)] ?? `HTTP ${status}`, status };
  if (code && pointer && pointerTokens(pointer).length === 1) body[pointerTokens(pointer)[0]] = code;
  return { status, headers, body };
}

const SECTION_COMMENTS: Record<string, string> = {
  id: ' The vendor id of this profile: `errspec verify --profile THIS_FILE` (or --vendor ID with --profile).',
  extends: ' Everything of this vendor is inherited; what follows adds to it or overrides it.',
  seed: ' The document this profile encodes: every rule below cites it as its source.',
  auth: ' How the credential travels (from the document\'s security schemes).',
  envelope: ' The error body: RFC 9457 problem details. Unknown members are extensions, never a failure (RFC 9457 §3.2).',
  statuses: ' Error statuses the document declares, with its descriptions.',
  unknownCode: ' A code the document does not list, at a status that lists some: fail when the document enumerates its codes.',
  codes: ' Codes from the `enum` of the code member of each error response, and from its examples, with the statuses that declare them.',
  headers: ' Response headers the error responses declare; `required: true` where the document says so.',
  rules: ' Rules the profile cites; `source` says where each comes from.',
  probes: ' Requests derived from the operations. documented: the operation declares that status, so another answer fails;\n heuristic: errspec\'s guess, so another well-formed error only warns "did not provoke". Edit paths and ids to your sandbox.',
};

function render(doc: ProfileDoc, api: LoadedApi, notes: string[]): string {
  const yaml = new Document(doc);
  yaml.commentBefore = [
    ` errspec profile generated by \`errspec init --from-openapi ${path.basename(api.file)}\`: a first draft to review.`,
    ' Run it as written: errspec verify --profile THIS_FILE --base-url URL',
    ...notes.map((n) => ` note: ${n}`),
  ].join('\n');
  if (isMap(yaml.contents)) {
    for (const pair of (yaml.contents as YAMLMap).items as Pair<Scalar, unknown>[]) {
      const comment = SECTION_COMMENTS[String(pair.key.value)];
      if (comment) pair.key.commentBefore = comment;
      if (String(pair.key.value) === 'probes' && isSeq(pair.value)) {
        pair.value.items.forEach((item, i) => {
          const probe = doc.probes[i];
          if (isMap(item)) item.commentBefore = ` ${probe.basis}: ${probe.title}`;
        });
      }
    }
  }
  return yaml.toString({ lineWidth: 0 });
}
