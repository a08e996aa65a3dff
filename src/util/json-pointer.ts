/** Parsed reference tokens by pointer: the pointers are the profiles' own, looked up on every exchange. */
const tokensByPointer = new Map<string, string[]>();

function tokensOf(pointer: string): string[] {
  let tokens = tokensByPointer.get(pointer);
  if (!tokens) {
    tokens = pointer.slice(1).split('/').map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'));
    // Bounded: a caller passing ever-new pointers costs a parse each, not memory.
    if (tokensByPointer.size < 1000) tokensByPointer.set(pointer, tokens);
  }
  return tokens;
}

/** RFC 6901 JSON Pointer lookup; undefined when any step is missing. */
export function getPointer(value: unknown, pointer: string): unknown {
  if (pointer === '') return value;
  let current: unknown = value;
  for (const key of tokensOf(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) return undefined;
      current = current[Number(key)];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}
