/** Headers that belong to one connection, not to the message (RFC 9110 §7.6.1): a proxy never forwards them. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization',
  'te', 'trailer', 'transfer-encoding', 'upgrade',
]);

/** Names a Connection header lists are hop-by-hop too (RFC 9110 §7.6.1). */
export function connectionTokens(values: Iterable<string>): Set<string> {
  const tokens = new Set<string>();
  for (const value of values) for (const token of value.split(',')) if (token.trim()) tokens.add(token.trim().toLowerCase());
  return tokens;
}

/** Whether a header (lower-cased name) is hop-by-hop, given the names the message's Connection header lists. */
export function isHopByHop(name: string, listed: ReadonlySet<string> = new Set()): boolean {
  return HOP_BY_HOP.has(name) || listed.has(name);
}
