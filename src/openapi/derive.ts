import type { Profile } from '../profile/profile';
import type { MockResponseDef, ProbeDef } from '../profile/types';
import type { ApiOperation } from './operations';
import { operationSlug, pathSlug, probePath, requiredHeaders, type IdAllocator } from './values';
import { isJson } from '../util/json';

export type DerivedKind = 'no-credential' | 'unknown-id' | 'malformed-body' | 'undeclared-method';

/** A probe derived from the document, with the kind of error it provokes. */
export interface DerivedProbe {
  kind: DerivedKind;
  probe: ProbeDef;
  /** The operations the probe is derived from (for an undeclared method: every operation of its path). */
  operations: ApiOperation[];
}

export interface DeriveOptions {
  /** Ids (profile ids with config overrides) that path and query values may name. */
  ids: Record<string, string>;
  /** Path of the document's server URL, put in front of every path (`/api/v1`); empty for none. */
  pathPrefix: string;
}

/** JSON cut short: no parser accepts it, whatever the schema. */
export const MALFORMED_JSON = '{"errspec": "malformed';

/** Undeclared methods errspec may send, safest first; DELETE only where an unknown id makes it hit nothing. */
const UNDECLARED_ORDER = ['GET', 'PATCH', 'PUT', 'POST', 'DELETE'];

/**
 * Every probe the document's operations call for, grouped by kind in document order: no credential for
 * each secured operation, an unknown id for each path parameter (on the path's GET), a malformed JSON
 * body for each operation taking JSON, an undeclared method for each path.
 */
export function deriveCandidates(profile: Profile, operations: ApiOperation[], options: DeriveOptions, unique: IdAllocator): { groups: DerivedProbe[][]; notes: string[] } {
  const notes: string[] = [];
  const path = (op: ApiOperation, unknown?: Set<string>) => probePath(op, options.ids, options.pathPrefix, unknown);
  const noCredential: DerivedProbe[] = [];
  const unknownId: DerivedProbe[] = [];
  const malformed: DerivedProbe[] = [];
  const undeclared: DerivedProbe[] = [];

  for (const op of operations) {
    const slug = operationSlug(op);
    if (op.secured) {
      const like = closest(profile, op, (p) => p.auth === 'none') ?? closest(profile, op, (p) => p.auth === 'invalid');
      noCredential.push({
        kind: 'no-credential',
        operations: [op],
        probe: {
          id: unique.take(`${slug}-no-credential`),
          title: `${op.method} ${op.path} with no credential`,
          method: op.method,
          path: path(op),
          ...withHeaders(requiredHeaders(op)),
          auth: 'none',
          expect: like ? { ...like.expect } : { status: [401] },
          basis: like?.basis ?? 'documented',
          rule: profile.doc.statusRule,
          mock: mockOf(like, 401),
        },
      });
    }
    if (op.jsonBodyType) {
      const like = closest(profile, op, (p) => p.auth === 'valid' && p.body !== undefined && !isJson(p.body) && !p.writes)
        ?? closest(profile, op, (p) => p.auth === 'valid' && !p.writes && p.expect.status.some((s) => s === 400 || s === 422));
      const status = profile.isDocumentedStatus(400) || !profile.isDocumentedStatus(422) ? 400 : 422;
      malformed.push({
        kind: 'malformed-body',
        operations: [op],
        probe: {
          id: unique.take(`${slug}-malformed-body`),
          title: `${op.method} ${op.path} with a JSON body cut short`,
          method: op.method,
          path: path(op),
          headers: { ...requiredHeaders(op), 'content-type': op.jsonBodyType },
          body: MALFORMED_JSON,
          auth: 'valid',
          expect: like ? { ...like.expect } : { status: [status] },
          basis: 'heuristic',
          rule: profile.doc.statusRule,
          mock: mockOf(like, status),
        },
      });
    }
  }

  for (const [pathKey, ops] of groupByPath(operations)) {
    const get = ops.find((o) => o.method === 'GET');
    const params = (get ?? ops[0]).parameters.filter((p) => p.in === 'path');
    if (!get && params.length > 0) notes.push(`${pathKey} has no GET operation: no unknown-id probe for ${params.map((p) => `{${p.name}}`).join(', ')}`);
    if (get) {
      for (const param of params) {
        const like = closest(profile, get, (p) => p.auth === 'valid' && !p.burst && p.expect.status.includes(404));
        unknownId.push({
          kind: 'unknown-id',
          operations: [get],
          probe: {
            id: unique.take(`${operationSlug(get)}-unknown-${pathSlug(param.name)}`),
            title: `GET ${pathKey} with an unknown ${param.name}`,
            method: 'GET',
            path: path(get, new Set([param.name])),
            ...withHeaders(requiredHeaders(get)),
            auth: 'valid',
            expect: { status: [404] },
            basis: 'heuristic',
            rule: profile.doc.statusRule,
            mock: mockOf(like, 404),
          },
        });
      }
    }
    const declared = new Set(ops.map((o) => o.method));
    const method = UNDECLARED_ORDER.find((m) => !declared.has(m) && (m !== 'DELETE' || params.length > 0));
    if (!method) {
      notes.push(`${pathKey} declares every method errspec would send: no undeclared-method probe`);
      continue;
    }
    // A vendor that documents 405 promises it; elsewhere 404 is what it documents, and 405 is drift documented-status warns about.
    const documents405 = profile.isDocumentedStatus(405);
    const like = documents405
      ? closest(profile, ops[0], (p) => p.auth === 'valid' && p.expect.status.includes(405))
      : closest(profile, ops[0], (p) => p.auth === 'valid' && !p.burst && p.expect.status.includes(404));
    const mock = mockOf(like, documents405 ? 405 : 404);
    const allow = Object.keys(mock.headers ?? {}).find((h) => h.toLowerCase() === 'allow');
    if (allow) mock.headers = { ...mock.headers, [allow]: [...declared].join(', ') };
    undeclared.push({
      kind: 'undeclared-method',
      operations: ops,
      probe: {
        id: unique.take(`${pathSlug(pathKey)}-undeclared-${method.toLowerCase()}`),
        title: `${method} ${pathKey}, a method the document does not declare there`,
        method,
        // Unknown ids: should the method exist after all, it touches nothing.
        path: path({ ...ops[0], method }, new Set(params.map((p) => p.name))),
        ...withHeaders(requiredHeaders(ops[0])),
        auth: 'valid',
        expect: { status: documents405 ? [405] : [404, 405] },
        basis: 'heuristic',
        rule: profile.doc.statusRule,
        mock,
      },
    });
  }
  return { groups: [noCredential, unknownId, malformed, undeclared], notes };
}

/** Take one of each kind in turn, so a small budget still covers every kind; the rest is left out. */
export function withinBudget(groups: DerivedProbe[][], maxProbes: number): { kept: DerivedProbe[]; left: DerivedProbe[] } {
  const order: DerivedProbe[] = [];
  for (let i = 0; groups.some((g) => i < g.length); i++) for (const group of groups) if (i < group.length) order.push(group[i]);
  return { kept: order.slice(0, maxProbes), left: order.slice(maxProbes) };
}

const withHeaders = (headers: Record<string, string>): { headers?: Record<string, string> } => (Object.keys(headers).length > 0 ? { headers } : {});

function groupByPath(operations: ApiOperation[]): Map<string, ApiOperation[]> {
  const byPath = new Map<string, ApiOperation[]>();
  for (const op of operations) byPath.set(op.path, [...(byPath.get(op.path) ?? []), op]);
  return byPath;
}

/** The profile probe of that kind whose path shares the most leading segments with the operation's. */
function closest(profile: Profile, op: ApiOperation, kind: (p: ProbeDef) => boolean): ProbeDef | undefined {
  // Placeholder names differ between profile and document ({unknownPatientId}, {id}): compare them as one.
  const segments = (path: string) => path.split('?')[0].split('/').filter(Boolean).map((s) => (s.startsWith('{') ? '{}' : s.toLowerCase()));
  const target = segments(op.path);
  let best: ProbeDef | undefined;
  let bestScore = -1;
  for (const probe of profile.probes.filter(kind)) {
    const own = segments(probe.path);
    // Compare from the end too: a document path may lack the profile's prefix (/api/v1).
    let score = 0;
    while (score < own.length && score < target.length && own[own.length - 1 - score] === target[target.length - 1 - score]) score++;
    let lead = 0;
    while (lead < own.length && lead < target.length && own[lead] === target[lead]) lead++;
    const total = Math.max(score, lead) * 2 + (probe.method === op.method ? 1 : 0);
    if (total > bestScore) {
      best = probe;
      bestScore = total;
    }
  }
  return best;
}

function mockOf(like: ProbeDef | undefined, status: number): MockResponseDef {
  return like ? { ...like.mock, ...(like.mock.headers ? { headers: { ...like.mock.headers } } : {}) } : { status, body: {} };
}
