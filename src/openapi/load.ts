import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_SCHEMA, load as loadYaml } from 'js-yaml';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import { OpenApiInvalidError } from '../errors';
import { locate, parseYamlText, type ParsedYaml } from '../profile/load';
import { inlineFileRefs, type UnfollowedRef } from './resolve';

/** An OpenAPI 3.0 or 3.1 document as errspec reads it. */
export type ApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;

export interface LoadedApi {
  /** Absolute path of the document. */
  file: string;
  version: '3.0' | '3.1';
  doc: ApiDocument;
  /** References left as they stand: remote ones (never fetched), cycles, unreadable files, missing targets. */
  unfollowed: UnfollowedRef[];
}

/**
 * Read an OpenAPI 3.0 or 3.1 document, YAML or JSON (JSON is YAML), with its references to other local files
 * inlined (`inlineFileRefs`); problems name the file and line.
 */
export function loadOpenApi(file: string): LoadedApi {
  const absolute = path.resolve(file);
  const { value, positions } = readDocument(absolute);
  const doc = value as Partial<ApiDocument> | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new OpenApiInvalidError(`${absolute}: not an OpenAPI document: the top level is not an object`);
  const declared = (doc as { openapi?: unknown; swagger?: unknown }).openapi;
  if (typeof declared !== 'string') {
    const swagger = (doc as { swagger?: unknown }).swagger !== undefined;
    throw new OpenApiInvalidError(`${absolute}: not an OpenAPI 3 document: ${swagger ? 'Swagger 2.0 is not supported (convert it to OpenAPI 3)' : 'no "openapi" version field'}`);
  }
  const version = /^3\.0\.\d+/.test(declared) ? '3.0' : /^3\.1\.\d+/.test(declared) ? '3.1' : undefined;
  if (!version) throw new OpenApiInvalidError(`${locate(positions(), '/openapi')}: openapi ${declared} is not supported (3.0.x or 3.1.x)`);
  const paths = (doc as { paths?: unknown }).paths;
  if (paths !== undefined && (paths === null || typeof paths !== 'object' || Array.isArray(paths))) {
    throw new OpenApiInvalidError(`${locate(positions(), '/paths')}: "paths" must be an object`);
  }
  // OpenAPI 3.0 requires paths; 3.1 allows a document of components or webhooks only.
  if (paths === undefined && version === '3.0') throw new OpenApiInvalidError(`${absolute}: OpenAPI 3.0 document has no "paths"`);
  const { root, unfollowed } = inlineFileRefs(absolute, doc, (other) => readDocument(other).value);
  return { file: absolute, version, doc: root as ApiDocument, unfollowed };
}

/**
 * A document's value, parsed fast (JSON.parse, or js-yaml with YAML 1.2's core schema: a 10 MB document in a
 * second or two), and its positions parsed by `yaml` only when a message needs a line: that parser is 100x slower.
 */
export function readDocument(file: string): { value: unknown; positions: () => ParsedYaml } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new OpenApiInvalidError(`${file}: cannot read: ${(cause as Error).message}`);
  }
  let parsed: ParsedYaml | undefined;
  const positions = (): ParsedYaml => (parsed ??= parseYamlText(text, file, (m) => new OpenApiInvalidError(m)));
  try {
    return { value: /^\s*[{[]/.test(text) ? JSON.parse(text) : loadYaml(text, { filename: file, schema: CORE_SCHEMA }), positions };
  } catch {
    // Not JSON, or not YAML js-yaml reads: the positional parser says where, or reads it after all (YAML flow maps).
    return { value: positions().value, positions };
  }
}
