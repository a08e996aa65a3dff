import type { Exchange } from '../../src/types';

/** An exchange as a HAR entry or a probe would record it, for check tests. */
export function exchangeOf(status: number, body: unknown, headers: Record<string, string> = {}, extra: Partial<Exchange> = {}): Exchange {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    id: extra.id ?? 'fixture',
    entry: null,
    request: { method: 'GET', url: 'http://127.0.0.1:1/fixture', headers: {} },
    response: { status, headers: { 'content-type': 'application/json', ...headers }, body: text },
    ...extra,
  };
}
