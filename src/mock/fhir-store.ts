import { randomUUID } from 'node:crypto';
import type { MockResponseDef } from '../profile/types';

/** What the store answers; `undefined` means the request is not the store's (the probes' routes answer it). */
export type StoreAnswer = MockResponseDef | undefined;

interface Stored {
  resource: Record<string, unknown>;
  version: number;
  deleted: boolean;
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
// FHIR R4 datatypes.html: date = YYYY, YYYY-MM or YYYY-MM-DD.
const FHIR_DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
/** Elements R4 makes 1..1 on the resources the store serves (a small subset of R4 validation, said as such). */
const REQUIRED: Record<string, string[]> = { Observation: ['status', 'code'], Encounter: ['status', 'class'] };

function outcome(status: number, code: string, diagnostics: string, headers: Record<string, string> = {}): MockResponseDef {
  return { status, headers, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] } };
}

const etag = (version: number): string => `W/"${version}"`;

/**
 * A FHIR R4 server in memory, per mock process (FHIR R4 http.html): a public `GET /metadata`, create, read,
 * search by type, update with `If-Match` (412 on a stale version), delete (then 410). Invalid bodies are
 * 400 `invalid`; unknown ids are 404 `not-found` naming the id asked for.
 */
export class FhirStore {
  private readonly resources = new Map<string, Stored>();
  private readonly types: Set<string>;
  readonly capability: MockResponseDef;

  constructor(types: string[], seed: Record<string, number> = {}, private readonly clock: () => number = Date.now) {
    this.types = new Set(types);
    for (const [key, version] of Object.entries(seed)) {
      const [type, id] = key.split('/');
      this.resources.set(key, { resource: { resourceType: type, id }, version, deleted: false });
    }
    this.capability = {
      status: 200,
      body: {
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: new Date(this.clock()).toISOString(),
        kind: 'instance',
        software: { name: 'errspec reference mock' },
        implementation: { description: 'errspec reference mock of a FHIR R4 server' },
        fhirVersion: '4.0.1',
        format: ['json'],
        rest: [{
          mode: 'server',
          resource: types.map((type) => ({
            type,
            interaction: ['read', 'create', 'update', 'delete', 'search-type'].map((code) => ({ code })),
            versioning: 'versioned-update',
            updateCreate: true,
            conditionalUpdate: false,
          })),
        }],
      },
    };
  }

  /** Answer a request that needs no credential (`GET /metadata`), else undefined. */
  publicAnswer(method: string, segments: string[]): StoreAnswer {
    return method === 'GET' && segments.length === 1 && segments[0] === 'metadata' ? this.capability : undefined;
  }

  /** Answer an authenticated request on a resource type the store serves, else undefined. */
  answer(method: string, segments: string[], headers: Record<string, string | string[] | undefined>, body: string): StoreAnswer {
    const [type, id, ...rest] = segments;
    if (!type || !this.types.has(type) || rest.length > 0) return undefined;
    if (id !== undefined && !FHIR_ID.test(id)) return outcome(400, 'value', `"${id}" is not a valid FHIR id`);
    const key = `${type}/${id}`;
    const stored = id === undefined ? undefined : this.resources.get(key);
    if (method === 'GET' && id === undefined) return this.search(type);
    if (method === 'GET') {
      if (!stored) return outcome(404, 'not-found', `Resource ${key} not found`);
      if (stored.deleted) return outcome(410, 'deleted', `Resource ${key} was deleted`);
      return this.found(stored, 200);
    }
    if (method === 'DELETE' && id !== undefined) {
      if (stored && !stored.deleted) {
        stored.deleted = true;
        stored.version++;
      }
      return { status: 204, body: undefined };
    }
    if (method === 'POST' && id === undefined) {
      const parsed = this.parse(type, body);
      if ('status' in parsed) return parsed;
      const created: Stored = { resource: { ...parsed.resource, id: randomUUID() }, version: 0, deleted: false };
      return this.save(created, 201);
    }
    if (method === 'PUT' && id !== undefined) {
      const parsed = this.parse(type, body);
      if ('status' in parsed) return parsed;
      if (parsed.resource.id !== id) return outcome(400, 'invalid', `the resource id ${String(parsed.resource.id)} is not the id of the URL, ${id}`);
      const ifMatch = [headers['if-match']].flat()[0];
      const current = stored && !stored.deleted ? stored.version : undefined;
      if (ifMatch !== undefined && ifMatch.trim() !== (current === undefined ? undefined : etag(current))) {
        const have = current === undefined ? 'no current version' : `current version is ${current}`;
        return outcome(412, 'conflict', `Version conflict: ${have}, If-Match is ${ifMatch}`);
      }
      const next: Stored = stored ?? { resource: {}, version: 0, deleted: false };
      next.resource = parsed.resource;
      const wasLive = current !== undefined;
      next.deleted = false;
      return this.save(next, wasLive ? 200 : 201);
    }
    return outcome(405, 'not-supported', `HTTP method ${method} is not supported for /${segments.join('/')}`, { allow: id === undefined ? 'GET, POST' : 'GET, PUT, DELETE' });
  }

  private search(type: string): MockResponseDef {
    const entry = [...this.resources.values()].filter((s) => !s.deleted && s.resource.resourceType === type).map((s) => ({ resource: this.withMeta(s) }));
    return { status: 200, body: { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry } };
  }

  private save(stored: Stored, status: number): MockResponseDef {
    stored.version++;
    const id = String(stored.resource.id);
    this.resources.set(`${String(stored.resource.resourceType)}/${id}`, stored);
    const answer = this.found(stored, status);
    if (status === 201) answer.headers!.location = `${String(stored.resource.resourceType)}/${id}/_history/${stored.version}`;
    return answer;
  }

  private found(stored: Stored, status: number): MockResponseDef {
    return { status, headers: { etag: etag(stored.version) }, body: this.withMeta(stored) };
  }

  private withMeta(stored: Stored): Record<string, unknown> {
    const meta = { ...((stored.resource.meta as object | undefined) ?? {}), versionId: String(stored.version) };
    return { ...stored.resource, meta };
  }

  /** The body as a resource of this type, or the 400 `invalid` a FHIR server answers. */
  private parse(type: string, body: string): { resource: Record<string, unknown> } | MockResponseDef {
    let resource: unknown;
    try {
      resource = JSON.parse(body);
    } catch (error) {
      return outcome(400, 'invalid', `Malformed JSON: ${(error as Error).message}`);
    }
    if (!resource || typeof resource !== 'object' || Array.isArray(resource)) return outcome(400, 'invalid', 'The body is not a FHIR resource (a JSON object)');
    const r = resource as Record<string, unknown>;
    if (r.resourceType !== type) return outcome(400, 'invalid', `resourceType ${JSON.stringify(r.resourceType)} is not ${type}, the type of the URL`);
    if (r.id !== undefined && (typeof r.id !== 'string' || !FHIR_ID.test(r.id))) return outcome(400, 'invalid', `${type}.id ${JSON.stringify(r.id)} is not a valid FHIR id`);
    if (r.birthDate !== undefined && (typeof r.birthDate !== 'string' || !FHIR_DATE.test(r.birthDate))) {
      return outcome(400, 'invalid', `${type}.birthDate ${JSON.stringify(r.birthDate)} is not a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD)`);
    }
    for (const element of REQUIRED[type] ?? []) {
      if (r[element] === undefined) return outcome(400, 'invalid', `${type}.${element} is required (1..1 in FHIR R4) but missing`);
    }
    const { meta, ...rest } = r;
    return { resource: { ...rest, ...(meta && typeof meta === 'object' ? { meta: { ...(meta as object) } } : {}) } };
  }
}
