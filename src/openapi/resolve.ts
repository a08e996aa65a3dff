import { getPointer } from '../util/json-pointer';

/** A `$ref` errspec could not follow (another file, a URL, or a missing target). */
export class UnresolvedRef {
  constructor(readonly ref: string) {}
}

const isRef = (value: unknown): value is { $ref: string } =>
  Boolean(value) && typeof value === 'object' && typeof (value as { $ref?: unknown }).$ref === 'string';

/**
 * Follow local `$ref`s (`#/components/...`) until a non-reference node; references to other files
 * are not fetched (errspec reads one file and sends nothing to resolve it) and yield UnresolvedRef.
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
