import path from 'node:path';
import { getPointer } from '../util/json-pointer';

/** A `$ref` errspec could not follow (a URL, a cycle, an unreadable file, or a missing target). */
export class UnresolvedRef {
  constructor(readonly ref: string) {}
}

const isRef = (value: unknown): value is { $ref: string } =>
  Boolean(value) && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string';

/** Bounds of one document's reference graph: references are followed to this depth, nodes visited up to this count. */
const MAX_REF_DEPTH = 64;
const MAX_NODES = 5_000_000;

/** A reference that was left as it stands, and why. */
export interface UnfollowedRef {
  /** The reference as written, with the file it is written in. */
  ref: string;
  reason: 'remote' | 'cycle' | 'unreadable' | 'missing' | 'malformed' | 'too-deep';
}

/** Reads a referenced file (YAML or JSON); throws when it cannot. */
export type ReadDocument = (file: string) => unknown;

/**
 * Inline every `$ref` to another local file (relative paths, any depth), so the document reads as one: a
 * reference inside a referenced file resolves against that file. Remote references (http, https or any other
 * scheme) are never fetched; cycles, unreadable files and missing targets are left as they stand. Every reference
 * left is in `unfollowed`. References inside the main file (`#/...`) stay as they are: `deref` follows them lazily.
 */
export function inlineFileRefs(mainFile: string, root: unknown, read: ReadDocument): { root: unknown; unfollowed: UnfollowedRef[] } {
  const main = path.resolve(mainFile);
  const roots = new Map<string, unknown>([[main, root]]);
  const failed = new Map<string, UnfollowedRef['reason']>();
  const memo = new Map<string, unknown>();
  const unfollowed = new Map<string, UnfollowedRef>();
  let visited = 0;
  const note = (ref: string, reason: UnfollowedRef['reason'], left: string): { $ref: string } => {
    if (!unfollowed.has(ref)) unfollowed.set(ref, { ref, reason });
    return { $ref: left };
  };
  const rootOf = (file: string): unknown => {
    if (roots.has(file)) return roots.get(file);
    if (failed.has(file)) return undefined;
    try {
      const value = read(file);
      roots.set(file, value);
      return value;
    } catch {
      failed.set(file, 'unreadable');
      return undefined;
    }
  };
  const shown = (file: string, ref: string): string => (file === main ? ref : `${path.relative(path.dirname(main), file) || path.basename(file)}: ${ref}`);

  const visit = (node: unknown, file: string, stack: string[]): unknown => {
    if (++visited > MAX_NODES) return node;
    if (Array.isArray(node)) {
      // Copied only where something changed: a document without file references is not copied at all.
      let copy: unknown[] | undefined;
      node.forEach((item, i) => {
        const next = visit(item, file, stack);
        if (next !== item) (copy ??= [...node])[i] = next;
      });
      return copy ?? node;
    }
    if (!node || typeof node !== 'object') return node;
    if (isRef(node)) {
      const ref = node.$ref;
      const hash = ref.indexOf('#');
      const base = hash < 0 ? ref : ref.slice(0, hash);
      const fragment = hash < 0 ? '' : ref.slice(hash + 1);
      // A reference inside the main file stays for deref; one inside another file resolves there.
      if (base === '' && file === main) return node;
      if (/^[a-z][a-z0-9+.-]*:/i.test(base)) return note(shown(file, ref), 'remote', ref);
      let target: string;
      let pointer: string;
      try {
        target = base === '' ? file : path.resolve(path.dirname(file), decodeURIComponent(base));
        pointer = decodeURIComponent(fragment);
      } catch {
        return note(shown(file, ref), 'malformed', `${target! ?? base}#${fragment}`);
      }
      // Left as a reference into its own file, so deref reports it rather than reading it against the main file.
      const leftAs = target === main ? `#${fragment}` : `${target}#${fragment}`;
      const key = `${target}#${pointer}`;
      if (stack.includes(key)) return note(shown(file, ref), 'cycle', leftAs);
      if (stack.length >= MAX_REF_DEPTH) return note(shown(file, ref), 'too-deep', leftAs);
      if (memo.has(key)) return memo.get(key);
      // The main file's own targets are inlined only when reached from another file, and then walked as any.
      const targetRoot = rootOf(target);
      if (targetRoot === undefined) return note(shown(file, ref), failed.get(target) ?? 'unreadable', leftAs);
      const found = getPointer(targetRoot, pointer);
      if (found === undefined) return note(shown(file, ref), 'missing', leftAs);
      const resolved = visit(found, target, [...stack, key]);
      memo.set(key, resolved);
      return resolved;
    }
    let copy: Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(node)) {
      const next = visit(value, file, stack);
      if (next !== value) (copy ??= { ...(node as Record<string, unknown>) })[key] = next;
    }
    return copy ?? node;
  };
  const inlined = visit(root, main, []);
  return { root: inlined, unfollowed: [...unfollowed.values()] };
}

/**
 * Follow local `$ref`s (`#/components/...`) until a non-reference node; what `inlineFileRefs` left (a URL, a
 * cycle, a missing target) yields UnresolvedRef.
 */
export function deref<T>(root: unknown, value: unknown): T | UnresolvedRef {
  let node = value;
  const seen = new Set<string>();
  while (isRef(node)) {
    const ref = node.$ref;
    if (!ref.startsWith('#') || seen.has(ref)) return new UnresolvedRef(ref);
    seen.add(ref);
    const target = getPointer(root, decodeURIComponent(ref.slice(1)));
    if (target === undefined) return new UnresolvedRef(ref);
    node = target;
  }
  return node as T;
}

/** Like `deref`, but an unresolvable reference reads as absent. */
export function derefOrUndefined<T>(root: unknown, value: unknown): T | undefined {
  const resolved = deref<T>(root, value);
  return resolved instanceof UnresolvedRef ? undefined : resolved;
}
