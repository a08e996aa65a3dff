import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { loadProfile } from '../src/profile/load';
import type { Profile } from '../src/profile/profile';
import type { MockResponseDef, ProbeDef } from '../src/profile/types';
import { requestFor } from '../src/probes/request';

/** What the generated HAR holds. */
export interface GeneratedHar {
  file: string;
  bytes: number;
  entries: number;
  /** Entries generated as the vendor documents them; the rest break one rule each. */
  conformant: number;
}

export interface HarOptions {
  /** Vendor ids whose entries are interleaved (round-robin). */
  vendors: string[];
  entries: number;
  /** Indent like Chrome DevTools' "Save all as HAR" (2 spaces); 0 writes one compact line per entry. */
  indent?: number;
  /** Request headers and cookies a browser sends (user agent, client hints, cookies, referer): about 3 KB an entry. */
  browser?: boolean;
  /** Every `every`-th response body carries `bytes` more (an `issues` list): large bodies among small ones. */
  bigBodies?: { every: number; bytes: number };
}

/** What a browser adds to each request, as Chrome records it. */
const BROWSER_HEADERS: Record<string, string> = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'accept-language': 'en-GB,en-US;q=0.9,en;q=0.8,de;q=0.7',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'sec-ch-ua': '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'sec-fetch-dest': 'empty',
  'sec-fetch-site': 'same-site',
  referer: 'https://app.example/patients/search?tab=recent&sort=name',
  priority: 'u=1, i',
};

type Header = { name: string; value: string };

/** One way to break a documented error response; index 0 is "as documented". */
type Mutation = (response: MockResponseDef) => MockResponseDef;

const asDocumented: Mutation = (r) => r;
/** A body that drops every documented field: envelope-schema and known-code fail. */
const emptyEnvelope: Mutation = (r) => ({ ...r, body: {} });
/** A code the vendor table does not list. */
const unknownCode: Mutation = (r) => ({ ...r, body: replaceStrings(r.body, /^[A-Za-z][\w.-]*$/, 'undocumented_code', 1) });
/** The right body at a status the vendor never pairs with it. */
const wrongStatus: Mutation = (r) => ({ ...r, status: r.status === 404 ? 400 : 404 });
/** A gateway's HTML error page instead of the envelope. */
const htmlPage: Mutation = () => ({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' });
/** A field the envelope does not document (warns). */
const extraField: Mutation = (r) => ({ ...r, body: r.body && typeof r.body === 'object' ? { ...(r.body as object), debug_trace: 'svc-a>svc-b' } : r.body });
/** Headers the vendor promises are missing. */
const noHeaders: Mutation = (r) => ({ ...r, headers: {} });

/** 60% as documented, 40% broken in five ways: a mix a real capture of a drifting sandbox might show. */
const MUTATIONS: Mutation[] = [asDocumented, asDocumented, emptyEnvelope, asDocumented, unknownCode, asDocumented, wrongStatus, asDocumented, htmlPage, asDocumented, extraField, noHeaders];

function replaceStrings(value: unknown, pattern: RegExp, replacement: string, budget: number): unknown {
  let left = budget;
  const walk = (node: unknown, key?: string): unknown => {
    if (left > 0 && typeof node === 'string' && (key === 'code' || key === 'error') && pattern.test(node)) {
      left--;
      return replacement;
    }
    if (Array.isArray(node)) return node.map((n) => walk(n));
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, k)]));
    return node;
  };
  return walk(value);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

const headerList = (map: Record<string, string>): Header[] => Object.entries(map).map(([name, value]) => ({ name, value }));

/** A HAR 1.2 entry as a browser records it: request, response, cache and timings. */
function entryFor(profile: Profile, probe: ProbeDef, mutate: Mutation, index: number, options: HarOptions): unknown {
  const base = `https://api.${profile.id}.example`;
  const out = requestFor(probe, base, profile.doc.ids, [...profile.doc.envelope.mediaTypes, 'application/json'].join(', '));
  const authHeader = profile.doc.auth.scheme === 'api-key' ? (profile.doc.auth.header ?? 'x-api-key') : 'authorization';
  if (probe.auth !== 'none') out.headers[authHeader] = profile.doc.auth.scheme === 'bearer' ? 'Bearer bench-recorded-token-3f9a' : 'bench-recorded-key-3f9a';
  let response = mutate(probe.mock);
  const big = options.bigBodies && index % options.bigBodies.every === options.bigBodies.every - 1 ? options.bigBodies.bytes : 0;
  if (big > 0 && response.body && typeof response.body === 'object' && !Array.isArray(response.body)) {
    const issue = { severity: 'error', code: 'processing', diagnostics: 'field failed validation against the profile: value out of range' };
    const count = Math.ceil(big / JSON.stringify(issue).length);
    response = { ...response, body: { ...(response.body as object), issues: Array.from({ length: count }, () => issue) } };
  }
  const browser = options.browser
    ? { ...BROWSER_HEADERS, cookie: `session=s%3A${index.toString(36)}a8f0c2e9.Qw3rTy; _ga=GA1.1.${1000 + (index % 97)}.1732287600; consent=analytics%3Dno%26ads%3Dno; theme=dark`, 'x-request-id': `client-${index.toString(16).padStart(10, '0')}` }
    : {};
  const mediaType = profile.doc.envelope.mediaTypes[0];
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
  const responseHeaders: Record<string, string> = {
    date: 'Sun, 22 Nov 2026 15:00:00 GMT',
    'content-type': mediaType,
    'content-length': String(Buffer.byteLength(text)),
    server: 'envoy',
    'x-request-id': `req_${index.toString(16).padStart(8, '0')}`,
    'cache-control': 'no-store',
    'strict-transport-security': 'max-age=31536000',
    ...Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
  const url = new URL(out.url);
  // Every 50th body is base64, as browsers record binary-looking content.
  const base64 = index % 50 === 49;
  return {
    startedDateTime: new Date(Date.UTC(2026, 10, 22, 15, 0, 0, index)).toISOString(),
    time: 42.5,
    request: {
      method: out.method,
      url: out.url,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList({ host: url.host, ...out.headers, 'sec-fetch-mode': 'cors', origin: 'https://app.example', ...browser }),
      ...(options.browser ? { cookies: [{ name: 'session', value: `s%3A${index.toString(36)}a8f0c2e9.Qw3rTy` }, { name: 'theme', value: 'dark' }] } : {}),
      queryString: [...url.searchParams].map(([name, value]) => ({ name, value })),
      ...(out.body !== undefined ? { postData: { mimeType: 'application/json', text: out.body } } : {}),
      headersSize: -1,
      bodySize: out.body === undefined ? 0 : Buffer.byteLength(out.body),
    },
    response: {
      status: response.status,
      statusText: STATUS_TEXT[response.status] ?? '',
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(responseHeaders),
      content: {
        size: Buffer.byteLength(text),
        mimeType: responseHeaders['content-type'],
        ...(base64 ? { text: Buffer.from(text).toString('base64'), encoding: 'base64' } : { text }),
      },
      redirectURL: '',
      headersSize: -1,
      bodySize: Buffer.byteLength(text),
      _transferSize: Buffer.byteLength(text) + 300,
    },
    cache: {},
    timings: { blocked: 0.4, dns: -1, ssl: -1, connect: -1, send: 0.1, wait: 41.2, receive: 0.8 },
    serverIPAddress: '203.0.113.10',
    connection: String(443000 + (index % 6)),
  };
}

/**
 * Write a HAR of `entries` error responses, round-robin over the vendors and their probes, from the
 * responses their reference mocks give; 40% are broken in one of five ways. Written in slices, never whole.
 */
export function generateHar(file: string, options: HarOptions): GeneratedHar {
  const profiles = options.vendors.map((id) => loadProfile(id));
  const indent = options.indent ?? 2;
  const fd = openSync(file, 'w');
  let conformant = 0;
  try {
    // The entries go where a placeholder was, so the rest of the file is exactly what JSON.stringify writes.
    const placeholder = '"@@entries@@"';
    const head = { log: { version: '1.2', creator: { name: 'errspec-bench', version: '1' }, pages: [], entries: ['@@entries@@'] } };
    const skeleton = JSON.stringify(head, null, indent);
    const at = skeleton.indexOf(placeholder);
    const pad = indent > 0 ? `\n${' '.repeat(indent * 3)}` : '';
    writeSync(fd, skeleton.slice(0, at));
    let chunk = '';
    for (let i = 0; i < options.entries; i++) {
      const profile = profiles[i % profiles.length];
      const round = Math.floor(i / profiles.length);
      const probe = profile.probes[round % profile.probes.length];
      const mutation = MUTATIONS[Math.floor(round / profile.probes.length) % MUTATIONS.length];
      if (mutation === asDocumented) conformant++;
      const json = JSON.stringify(entryFor(profile, probe, mutation, i, options), null, indent);
      chunk += `${i > 0 ? `,${pad}` : ''}${indent > 0 ? json.replace(/\n/g, pad) : json}`;
      if (chunk.length > 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    writeSync(fd, `${chunk}${skeleton.slice(at + placeholder.length)}\n`);
  } finally {
    closeSync(fd);
  }
  return { file, bytes: statSync(file).size, entries: options.entries, conformant };
}
