import path from 'node:path';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange } from '../types';
import { deriveCandidates, withinBudget } from './derive';
import { documentFindings } from './document-checks';
import { loadOpenApi, type LoadedApi } from './load';
import { operationsOf, type ApiOperation } from './operations';
import { IdAllocator } from './values';

export interface OpenApiPlanOptions {
  /** Most probes derived (`--max-probes`, default 50): each is one request. */
  maxProbes?: number;
  /** Ids path and query values may name (profile ids with config overrides). */
  ids?: Record<string, string>;
  /** The target, when known: a base URL that already ends with the server's path gets no second copy. */
  baseUrl?: string;
  /** Document disagreements fail instead of warn. */
  strict?: boolean;
}

export interface OpenApiPlan {
  /** The probes to send, at most `maxProbes`. */
  probes: ProbeDef[];
  /** Ids of derived probes left out by the budget. */
  left: string[];
  /** Disagreements between the document's declared errors and the contract, as exchanges with findings. */
  document: EvaluatedExchange[];
  notes: string[];
}

export const DEFAULT_MAX_PROBES = 50;

/** Paths read for a probe budget: each path yields at least one probe (an undeclared method), most several. */
export const pathsFor = (maxProbes: number): number => Math.max(16, maxProbes * 4);

/** A list for a note: every name up to 50, then a count, so a large document does not make a megabyte of notes. */
const shortList = (names: string[]): string => (names.length <= 50 ? names.join(', ') : `${names.slice(0, 50).join(', ')} and ${names.length - 50} more`);

/** Probes and document findings from an OpenAPI 3.0/3.1 file: synchronous, so a Jest suite can list its tests from it. */
export function planFromOpenApi(profile: Profile, file: string, options: OpenApiPlanOptions = {}): OpenApiPlan {
  const api = loadOpenApi(file);
  const maxProbes = options.maxProbes ?? DEFAULT_MAX_PROBES;
  // --max-probes bounds the work, not only the requests: a few paths give every kind of probe, so only those are read.
  const pathCount = Object.keys(api.doc.paths ?? {}).length;
  const maxPaths = pathsFor(maxProbes);
  const operations = operationsOf(api, maxPaths);
  const ids = new IdAllocator(profile.probes.map((p) => p.id));
  const prefix = serverPath(api, options.baseUrl);
  const derived = deriveCandidates(profile, operations, { ids: options.ids ?? profile.doc.ids, pathPrefix: prefix }, ids);
  const { kept, left } = withinBudget(derived.groups, maxProbes);
  const document = documentFindings(profile, api, operations, ids, options.strict);
  const total = kept.length + left.length;
  const notes = [
    `openapi: ${path.basename(api.file)} (OpenAPI ${api.version}): ${operations.length} operations, ${total} probes derived, ${kept.length} sent (--max-probes ${maxProbes})${prefix ? `, paths under ${prefix}` : ''}`,
  ];
  if (pathCount > maxPaths) notes.push(`openapi: read the first ${maxPaths} of ${pathCount} paths (--max-probes ${maxProbes} bounds the work); the rest were neither probed nor compared with the contract`);
  if (left.length > 0) notes.push(`openapi: left out by --max-probes ${maxProbes}: ${shortList(left.map((d) => d.probe.id))}`);
  notes.push(...derived.notes.map((n) => `openapi: ${n}`));
  const unfollowed = unfollowedNote(api, operations);
  if (unfollowed) notes.push(unfollowed);
  for (const check of [...new Set(document.flatMap((e) => e.findings.map((f) => f.check)))]) {
    const where = document.filter((e) => e.findings.some((f) => f.check === check)).map((e) => e.id);
    notes.push(`openapi: ${check} disagrees on ${where.length} operation${where.length === 1 ? '' : 's'}: ${where.join(', ')}`);
  }
  return { probes: kept.map((d) => d.probe), left: left.map((d) => d.probe.id), document, notes };
}

/** The path of the document's first server URL (variables at their defaults), unless the base URL already ends with it. */
export function serverPath(api: LoadedApi, baseUrl?: string): string {
  const server = api.doc.servers?.[0];
  if (!server || typeof server.url !== 'string') return '';
  const url = server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const fallback = server.variables?.[name]?.default;
    return fallback === undefined ? whole : String(fallback);
  });
  let pathname: string;
  try {
    pathname = decodeURI(new URL(url, 'http://errspec.invalid').pathname);
  } catch {
    return '';
  }
  const prefix = pathname.replace(/\/+$/, '');
  if (!prefix || prefix.includes('{')) return '';
  const basePath = baseUrl ? safePath(baseUrl) : '';
  return basePath.endsWith(prefix) ? '' : prefix;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/+$/, '');
  } catch {
    return '';
  }
}

const REASONS = { remote: 'remote: never fetched', cycle: 'a cycle', unreadable: 'file not readable', missing: 'no such target', malformed: 'malformed', 'too-deep': 'too deep' } as const;

/** Every reference the loader left and every local one an operation could not follow, with why. */
export function unfollowedNote(api: LoadedApi, operations: ApiOperation[]): string | undefined {
  const listed = api.unfollowed.map((u) => `${u.ref} (${REASONS[u.reason]})`);
  // The loader saw every reference to another file; what is left here are the document's own (#/...) ones.
  const local = [...new Set(operations.flatMap((o) => o.unresolved).filter((r) => r.startsWith('#')))].map((r) => `${r} (no such target, or a cycle)`);
  const all = [...new Set([...listed, ...local])];
  return all.length > 0 ? `openapi: references not followed: ${all.join(', ')}` : undefined;
}
