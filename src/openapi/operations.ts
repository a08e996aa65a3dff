import { escapeToken } from '../util/json-pointer';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import type { LoadedApi } from './load';
import { deref, derefOrUndefined, UnresolvedRef } from './resolve';

/** A schema node as found in the document (references inside it are followed by whoever reads it). */
export type SchemaNode = Record<string, unknown>;

export interface ApiParameter {
  name: string;
  in: string;
  required: boolean;
  schema?: SchemaNode;
  /** Example values the document gives, in the order it gives them. */
  examples: unknown[];
}

export interface ApiMediaType {
  type: string;
  schema?: SchemaNode;
  examples: unknown[];
}

export interface ApiResponse {
  /** As the document spells it: `404`, `4XX` or `default`. */
  status: string;
  description?: string;
  content: ApiMediaType[];
  /** Response headers the document declares, `required` where it says so. */
  headers: { name: string; required: boolean }[];
}

/** One operation of the document, with path-level parameters merged in and local references followed. */
export interface ApiOperation {
  method: string;
  path: string;
  operationId?: string;
  /** JSON pointer of the operation in the document, for messages. */
  pointer: string;
  parameters: ApiParameter[];
  /** True when every security requirement needs a credential (an empty requirement makes it optional). */
  secured: boolean;
  /** Media type of a JSON request body, when the operation takes one. */
  jsonBodyType?: string;
  responses: ApiResponse[];
  /** `$ref`s that point outside the document or nowhere: what was behind them is not seen. */
  unresolved: string[];
}

/** The methods a path item may hold, in the order the OpenAPI specification lists them. */
export const PATH_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Operation = OpenAPIV3.OperationObject | OpenAPIV3_1.OperationObject;
type PathItem = OpenAPIV3.PathItemObject | OpenAPIV3_1.PathItemObject;
type Parameter = OpenAPIV3.ParameterObject;
type MediaType = OpenAPIV3.MediaTypeObject | OpenAPIV3_1.MediaTypeObject;

/** JSON media types: application/json and structured-syntax `+json` types (application/fhir+json). */
export const isJsonMediaType = (type: string): boolean => /^application\/([a-z0-9.!#$&^_-]+\+)?json\s*(;|$)/i.test(type.trim());

const escapePointer = escapeToken;

/** Every operation of the document (of its first `maxPaths` paths), in document order. */
export function operationsOf(api: LoadedApi, maxPaths = Number.POSITIVE_INFINITY): ApiOperation[] {
  const root = api.doc;
  const out: ApiOperation[] = [];
  let seen = 0;
  for (const [pathKey, rawItem] of Object.entries(root.paths ?? {})) {
    if (seen++ >= maxPaths) break;
    const unresolved: string[] = [];
    const item = follow<PathItem>(root, rawItem, unresolved);
    if (!item || typeof item !== 'object') continue;
    for (const method of PATH_METHODS) {
      const op = (item as Record<string, unknown>)[method] as Operation | undefined;
      if (!op || typeof op !== 'object') continue;
      const missing = [...unresolved];
      const parameters = withTemplateParameters(pathKey, mergeParameters(root, item.parameters ?? [], op.parameters ?? [], missing));
      const requirements = (op.security ?? root.security ?? []) as Record<string, string[]>[];
      const body = follow<OpenAPIV3.RequestBodyObject>(root, op.requestBody, missing);
      const jsonBodyType = Object.keys(body?.content ?? {}).find(isJsonMediaType);
      out.push({
        method: method.toUpperCase(),
        path: pathKey,
        ...(typeof op.operationId === 'string' && op.operationId !== '' ? { operationId: op.operationId } : {}),
        pointer: `#/paths/${escapePointer(pathKey)}/${method}`,
        parameters,
        secured: requirements.length > 0 && !requirements.some((r) => r && Object.keys(r).length === 0),
        ...(jsonBodyType ? { jsonBodyType } : {}),
        responses: responsesOf(root, op.responses ?? {}, missing),
        unresolved: missing,
      });
    }
  }
  return out;
}

function follow<T>(root: unknown, value: unknown, unresolved: string[]): T | undefined {
  if (value === undefined) return undefined;
  const resolved = deref<T>(root, value);
  if (resolved instanceof UnresolvedRef) {
    unresolved.push(resolved.ref);
    return undefined;
  }
  return resolved;
}

/** Operation parameters override path-level ones with the same name and location. */
function mergeParameters(root: unknown, pathLevel: unknown[], opLevel: unknown[], unresolved: string[]): ApiParameter[] {
  const byKey = new Map<string, ApiParameter>();
  for (const raw of [...pathLevel, ...opLevel]) {
    const p = follow<Parameter>(root, raw, unresolved);
    if (!p || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    const schema = follow<SchemaNode>(root, p.schema, unresolved);
    byKey.set(`${p.in}:${p.name}`, {
      name: p.name,
      in: p.in,
      required: p.in === 'path' || p.required === true,
      ...(schema ? { schema } : {}),
      examples: examplesOf(root, p, schema),
    });
  }
  return [...byKey.values()];
}

/** A `{name}` in the path that no parameter declares is a path parameter all the same: it must be filled. */
function withTemplateParameters(pathKey: string, parameters: ApiParameter[]): ApiParameter[] {
  const declared = new Set(parameters.filter((p) => p.in === 'path').map((p) => p.name));
  const implied = [...pathKey.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).filter((name) => !declared.has(name));
  return [...parameters, ...[...new Set(implied)].map((name): ApiParameter => ({ name, in: 'path', required: true, examples: [] }))];
}

function responsesOf(root: unknown, responses: Record<string, unknown>, unresolved: string[]): ApiResponse[] {
  const out: ApiResponse[] = [];
  for (const [status, raw] of Object.entries(responses)) {
    const response = follow<OpenAPIV3.ResponseObject>(root, raw, unresolved);
    if (!response) {
      out.push({ status, content: [], headers: [] });
      continue;
    }
    const content = Object.entries(response.content ?? {}).map(([type, media]): ApiMediaType => {
      const schema = follow<SchemaNode>(root, media?.schema, unresolved);
      return { type, ...(schema ? { schema } : {}), examples: examplesOf(root, media ?? {}, schema) };
    });
    const headers = Object.entries(response.headers ?? {}).map(([name, raw]) => ({ name, required: follow<OpenAPIV3.HeaderObject>(root, raw, unresolved)?.required === true }));
    out.push({ status, ...(response.description ? { description: response.description } : {}), content, headers });
  }
  return out;
}

/** `example`, `examples.*.value` (3.0 and 3.1), then the schema's `example` and `examples` (3.1). */
function examplesOf(root: unknown, holder: Pick<MediaType, 'example' | 'examples'>, schema: SchemaNode | undefined): unknown[] {
  const found: unknown[] = [];
  if (holder.example !== undefined) found.push(holder.example);
  for (const raw of Object.values(holder.examples ?? {})) {
    const example = derefOrUndefined<OpenAPIV3.ExampleObject>(root, raw);
    if (example && example.value !== undefined) found.push(example.value);
  }
  if (schema?.example !== undefined) found.push(schema.example);
  if (Array.isArray(schema?.examples)) found.push(...(schema.examples as unknown[]));
  return found;
}
