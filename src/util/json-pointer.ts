/** RFC 6901 §4: `~1` is `/` and `~0` is `~` in a reference token (in that order). */
export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** RFC 6901 §3: a key as a reference token. */
export function escapeToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The reference tokens of a pointer (`''` has none). */
export function pointerTokens(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken);
}

/** Parsed reference tokens by pointer: the pointers are the profiles' own, looked up on every exchange. */
const tokensByPointer = new Map<string, string[]>();

function tokensOf(pointer: string): string[] {
  let tokens = tokensByPointer.get(pointer);
  if (!tokens) {
    tokens = pointerTokens(pointer);
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
