import path from 'node:path';
import { strictly } from '../engine/evaluate';
import type { Profile } from '../profile/profile';
import { schemas } from '../profile/schemas';
import type { EvaluatedExchange, Finding, RuleRef } from '../types';
import type { LoadedApi } from './load';
import { isJsonMediaType, type ApiMediaType, type ApiOperation, type SchemaNode } from './operations';
import { derefOrUndefined } from './resolve';
import { operationSlug, type IdAllocator } from './values';
import { mediaTypeEssence } from '../util/media-type';

/** Stable ids of the document checks: JUnit names (`<operation>-openapi > <check>`). */
export const DOCUMENT_CHECKS = {
  declares401: 'openapi-declares-401',
  declares429: 'openapi-declares-429',
  errorEnvelope: 'openapi-error-envelope',
} as const;

/** Deep enough for every built-in envelope (FHIR: issue > details > coding); stops recursive schemas. */
const MAX_DEPTH = 8;

/**
 * Where the document's declared error responses disagree with the vendor's contract: one exchange per
 * operation that disagrees, one warning per disagreement (a failure with `strict`). Nothing is sent.
 */
export function documentFindings(profile: Profile, api: LoadedApi, operations: ApiOperation[], ids: IdAllocator, strict = false): EvaluatedExchange[] {
  const out: EvaluatedExchange[] = [];
  const statusRule = profile.rule(profile.doc.statusRule);
  for (const op of operations) {
    const findings: Finding[] = [];
    if (op.secured && !declares(op, 401)) {
      findings.push(warning(DOCUMENT_CHECKS.declares401, `${op.method} ${op.path} needs a credential but declares no 401 response: the vendor answers a missing or invalid credential with 401`, statusRule, 401, declaredStatuses(op)));
    }
    if (profile.isDocumentedStatus(429) && !declares(op, 429)) {
      findings.push(warning(DOCUMENT_CHECKS.declares429, `${op.method} ${op.path} declares no 429 response: the vendor documents 429 (${profile.doc.statuses['429']})`, statusRule, 429, declaredStatuses(op)));
    }
    const problems = envelopeProblems(profile, api, op);
    if (problems.length > 0) {
      findings.push(warning(DOCUMENT_CHECKS.errorEnvelope, `declared error responses disagree with the ${profile.doc.envelope.schema} envelope: ${problems.join('; ')}`, envelopeRule(profile), `error bodies valid against ${profile.doc.envelope.schema}`, problems));
    }
    if (findings.length === 0) continue;
    if (strict) findings.forEach(strictly);
    out.push({
      id: ids.take(`${operationSlug(op)}-openapi`),
      entry: null,
      request: { method: op.method, url: `${path.basename(api.file)}${op.pointer}`, headers: {} },
      ok: !strict,
      findings,
    });
  }
  return out;
}

function warning(check: string, message: string, rule: RuleRef, expected: unknown, actual: unknown): Finding {
  return { check, outcome: 'warn', message, rule, expected, actual };
}

/** A response for this status, or its class (`4XX`); `default` is not a promise of any one status. */
function declares(op: ApiOperation, status: number): boolean {
  return op.responses.some((r) => r.status === String(status) || r.status.toUpperCase() === `${String(status)[0]}XX`);
}

const declaredStatuses = (op: ApiOperation): string[] => op.responses.map((r) => r.status);

const isErrorStatus = (status: string): boolean => status === 'default' || /^[45]XX$/i.test(status) || (/^\d{3}$/.test(status) && Number(status) >= 400);

function envelopeRule(profile: Profile): RuleRef {
  const root = schemas().schema(profile.doc.envelope.schema)?.['x-rule'];
  return profile.rule(typeof root === 'string' ? root : profile.doc.envelope.mediaTypeRule);
}

/** Declared error responses: media type, then each example against the envelope, else the schema's required properties. */
function envelopeProblems(profile: Profile, api: LoadedApi, op: ApiOperation): string[] {
  const accepted = [...profile.doc.envelope.mediaTypes, ...(profile.doc.envelope.toleratedMediaTypes ?? [])].map((t) => t.toLowerCase());
  const problems: string[] = [];
  for (const response of op.responses.filter((r) => isErrorStatus(r.status) && r.content.length > 0)) {
    const types = response.content.map((c) => mediaTypeEssence(c.type));
    if (!types.some((t) => accepted.includes(t))) problems.push(`${response.status} is declared as ${types.join(', ')}, not ${profile.doc.envelope.mediaTypes.join(' or ')}`);
    for (const media of response.content.filter((c) => isJsonMediaType(c.type))) {
      problems.push(...mediaProblems(profile, api, `${response.status} ${media.type}`, media));
    }
  }
  return problems;
}

function mediaProblems(profile: Profile, api: LoadedApi, where: string, media: ApiMediaType): string[] {
  if (media.examples.length > 0) {
    const validate = profile.envelopeValidator();
    return media.examples.flatMap((example, i) => {
      validate(example);
      // As envelope-schema: an undocumented field breaks no client.
      const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'additionalProperties');
      return errors.length === 0 ? [] : [`${where} example ${i + 1}: ${errors.map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`).join(', ')}`];
    });
  }
  if (!media.schema) return [];
  const envelope = schemas().schema(profile.doc.envelope.schema) as SchemaNode;
  const problems: string[] = [];
  compareRequired({ envelope, api }, envelope, envelope, media.schema, '', problems, 0);
  return problems.map((p) => `${where} schema: ${p}`);
}

interface Roots {
  envelope: SchemaNode;
  api: LoadedApi;
}

/** Follow a reference inside the envelope schemas (local `#/$defs/...` or another errspec schema). */
const envelopeNode = (root: SchemaNode, node: SchemaNode | undefined): { root: SchemaNode; node: SchemaNode | undefined } => schemas().deref(root, node);

/** Properties and required names of a document schema, `allOf` members merged; undefined when it says nothing checkable. */
function docShape(api: LoadedApi, raw: unknown, depth = 0): { properties: Record<string, unknown>; required: string[]; items?: unknown } | undefined {
  const node = derefOrUndefined<SchemaNode>(api.doc, raw);
  if (!node || typeof node !== 'object' || depth > MAX_DEPTH) return undefined;
  // A choice of shapes cannot be judged property by property.
  if (node.oneOf || node.anyOf) return undefined;
  const properties: Record<string, unknown> = { ...((node.properties as Record<string, unknown>) ?? {}) };
  const required = [...(Array.isArray(node.required) ? (node.required as string[]) : [])];
  let said = node.properties !== undefined || node.items !== undefined;
  for (const member of Array.isArray(node.allOf) ? node.allOf : []) {
    const shape = docShape(api, member, depth + 1);
    if (!shape) continue;
    said = true;
    Object.assign(properties, shape.properties);
    required.push(...shape.required);
  }
  return said ? { properties, required, ...(node.items !== undefined ? { items: node.items } : {}) } : undefined;
}

function compareRequired(roots: Roots, envRoot: SchemaNode, envRaw: SchemaNode, docRaw: unknown, at: string, problems: string[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const { root, node: env } = envelopeNode(envRoot, envRaw);
  const doc = docShape(roots.api, docRaw);
  if (!env || !doc) return;
  if (env.items && doc.items) compareRequired(roots, root, env.items as SchemaNode, doc.items, `${at}/*`, problems, depth + 1);
  const envProps = (env.properties ?? {}) as Record<string, SchemaNode>;
  for (const name of Array.isArray(env.required) ? (env.required as string[]) : []) {
    if (!(name in doc.properties)) {
      problems.push(`${at}/${name} is required by the envelope but not declared`);
      continue;
    }
    if (!doc.required.includes(name)) problems.push(`${at}/${name} is required by the envelope but optional in the document`);
    if (envProps[name]) compareRequired(roots, root, envProps[name], doc.properties[name], `${at}/${name}`, problems, depth + 1);
  }
}
