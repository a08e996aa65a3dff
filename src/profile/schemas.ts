import { getPointer, unescapeToken } from '../util/json-pointer';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { schemasDir } from '../util/paths';

const SCHEMA_BASE = 'https://errspec.dev/schemas/';
/** More hops than any chain of errspec's schemas has: a cycle ends here. */
const MAX_REF_HOPS = 16;

type SchemaNode = Record<string, unknown>;

/**
 * One ajv instance per process holding every schema in schemas/; validators are compiled once and cached.
 * `x-rule` is an annotation keyword naming the rule a schema node enforces.
 */
class SchemaRegistry {
  private readonly ajv: Ajv2020;
  private readonly byId = new Map<string, SchemaNode>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Each schema node's rule: the deepest `x-rule` from its schema's root down to it. */
  private readonly ruleAtNode = new WeakMap<object, string | undefined>();

  constructor(dir: string) {
    // verbose: errors carry parentSchema, the only reliable way back to the node inside a non-inlined $ref.
    this.ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true, keywords: ['x-rule'] });
    addFormats(this.ajv);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort()) {
      const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as SchemaNode;
      const name = file.slice(0, -'.schema.json'.length);
      this.byId.set(String(schema.$id), schema);
      this.byId.set(name, schema);
      this.ajv.addSchema(schema);
      this.indexRules(schema, undefined);
    }
  }

  private indexRules(node: unknown, inherited: string | undefined): void {
    if (Array.isArray(node)) return node.forEach((item) => this.indexRules(item, inherited));
    if (!node || typeof node !== 'object') return;
    const own = (node as SchemaNode)['x-rule'];
    const rule = typeof own === 'string' ? own : inherited;
    this.ruleAtNode.set(node, rule);
    for (const value of Object.values(node)) this.indexRules(value, rule);
  }

  has(name: string): boolean {
    return this.byId.has(name);
  }

  schema(name: string): SchemaNode | undefined {
    return this.byId.get(name);
  }

  /** The compiled validator of schemas/<name>.schema.json, compiled on first use only. */
  validator(name: string): ValidateFunction {
    let validate = this.compiled.get(name);
    if (!validate) {
      const schema = this.byId.get(name);
      if (!schema) throw new Error(`no schema named ${name} in ${schemasDir()}`);
      validate = this.ajv.getSchema(String(schema.$id)) as ValidateFunction;
      this.compiled.set(name, validate);
    }
    return validate;
  }

  /**
   * Follow `$ref`s from a node of one of errspec's schemas (local `#/$defs/...`, or another schema by its
   * `$id`) to the node they name, with the schema that holds it; bounded, so a cycle ends. The one resolver of
   * references inside errspec's own schemas (the OpenAPI document's are `src/openapi/resolve.ts`).
   */
  deref(root: SchemaNode, node: SchemaNode | undefined): { root: SchemaNode; node: SchemaNode | undefined } {
    let current = node;
    let currentRoot = root;
    for (let hops = 0; current && typeof current.$ref === 'string'; hops++) {
      if (hops >= MAX_REF_HOPS) return { root: currentRoot, node: undefined };
      const [base, fragment = ''] = (current.$ref as string).split('#');
      if (base) {
        const target = this.byId.get(base) ?? this.byId.get(base.replace(SCHEMA_BASE, '').replace(/\.schema\.json$/, ''));
        if (!target) return { root: currentRoot, node: undefined };
        currentRoot = target;
      }
      let decoded: string;
      try {
        decoded = decodeURIComponent(fragment);
      } catch {
        return { root: currentRoot, node: undefined };
      }
      current = getPointer(currentRoot, decoded) as SchemaNode | undefined;
    }
    return { root: currentRoot, node: current };
  }

  /** Every `x-rule` value in a schema and the schemas it references, for cross-checking a profile. */
  ruleIdsOf(name: string, seen = new Set<string>()): Set<string> {
    const ids = new Set<string>();
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === 'x-rule' && typeof value === 'string') ids.add(value);
        else if (key === '$ref' && typeof value === 'string' && !value.startsWith('#')) {
          const target = value.split('#')[0].replace(SCHEMA_BASE, '').replace(/\.schema\.json$/, '');
          if (!seen.has(target)) {
            seen.add(target);
            this.ruleIdsOf(target, seen).forEach((id) => ids.add(id));
          }
        } else walk(value);
      }
    };
    seen.add(name);
    walk(this.byId.get(name));
    return ids;
  }

  /**
   * The rule an ajv error breaks: the deepest `x-rule` on its schema path (for `required`, the missing
   * property's own `x-rule` first), else the root schema's.
   */
  ruleOf(rootName: string, error: ErrorObject): string | undefined {
    // Inside a $ref ajv compiles separately, schemaPath restarts at that def: find the node by identity instead.
    const parent = error.parentSchema;
    if (parent && typeof parent === 'object' && this.ruleAtNode.has(parent)) {
      const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : undefined;
      const own = missing === undefined ? undefined : ((parent.properties as SchemaNode | undefined)?.[missing] as SchemaNode | undefined)?.['x-rule'];
      return typeof own === 'string' ? own : this.ruleAtNode.get(parent);
    }
    const [base, fragment = ''] = error.schemaPath.split('#');
    const root = base ? this.byId.get(base) ?? this.byId.get(rootName) : this.byId.get(rootName);
    if (!root) return undefined;
    let node: unknown = root;
    let found = typeof root['x-rule'] === 'string' ? (root['x-rule'] as string) : undefined;
    for (const segment of fragment.split('/').filter(Boolean)) {
      if (!node || typeof node !== 'object') break;
      node = (node as SchemaNode)[unescapeToken(decodeURIComponent(segment))];
      const rule = node && typeof node === 'object' ? (node as SchemaNode)['x-rule'] : undefined;
      if (typeof rule === 'string') found = rule;
    }
    if (error.keyword === 'required' && node && typeof node === 'object') {
      const parent = this.nodeAt(root, fragment.split('/').filter(Boolean).slice(0, -1));
      const props = parent?.properties as SchemaNode | undefined;
      const missing = (error.params as { missingProperty: string }).missingProperty;
      const own = (props?.[missing] as SchemaNode | undefined)?.['x-rule'];
      if (typeof own === 'string') found = own;
    }
    return found;
  }

  private nodeAt(root: SchemaNode, segments: string[]): SchemaNode | undefined {
    let node: unknown = root;
    for (const segment of segments) {
      if (!node || typeof node !== 'object') return undefined;
      node = (node as SchemaNode)[segment];
    }
    return node && typeof node === 'object' ? (node as SchemaNode) : undefined;
  }
}

let registry: SchemaRegistry | undefined;

/** The process-wide schema registry (built on first use). */
export function schemas(): SchemaRegistry {
  registry ??= new SchemaRegistry(schemasDir());
  return registry;
}

export type { SchemaRegistry };
