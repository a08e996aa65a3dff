import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FhirTestServer, Wrapper } from './medplum';

/**
 * Asymmetrik's `@asymmetrik/node-fhir-server-core` (express) on 127.0.0.1:0, FHIR 4.0.0 routes at
 * `/4_0_0`. Its router, its sanitizers, its response helpers and its built-in error handling answer;
 * this file adds what the library leaves to its user: a Patient service (in memory) and a bearer
 * strategy for its passport. Both report errors the documented way, by throwing its `ServerError`
 * ("This will in turn generate an operation outcome").
 */

// The library ships no type declarations: the few members used here.
interface ServerErrorCtor { new (message: string, options: Record<string, unknown>): Error }
interface CoreServer {
  app: http.RequestListener;
  configureMiddleware(): CoreServer;
  configureSession(): CoreServer;
  configureHelmet(): CoreServer;
  setPublicDirectory(): CoreServer;
  setProfileRoutes(): CoreServer;
  setErrorRoutes(): CoreServer;
}
interface Core {
  Server: new (config: Record<string, unknown>) => CoreServer;
  ServerError: ServerErrorCtor;
  constants: { VERSIONS: Record<string, string> };
}
interface StrategyThis { success(user: unknown): void; error(err: Error): void }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const core = require('@asymmetrik/node-fhir-server-core') as Core;
// The passport and passport-strategy the library itself uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const passport = require(require.resolve('passport', { paths: [require.resolve('@asymmetrik/node-fhir-server-core')] })) as { use(name: string, strategy: unknown): void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Strategy = require(require.resolve('passport-strategy', { paths: [require.resolve('passport')] })) as new () => object;

const { ServerError } = core;
const outcome = (statusCode: number, code: string, text: string): Error =>
  new ServerError(text, { statusCode, issue: [{ severity: 'error', code, details: { text } }] });

interface Patient { resourceType: 'Patient'; id: string; meta?: { versionId?: string; lastUpdated?: string }; [k: string]: unknown }

export async function startAsymmetrik(options: { token?: string; wrap?: Wrapper } = {}): Promise<FhirTestServer> {
  const token = options.token ?? 'asymmetrik-interop-token';
  const patients = new Map<string, Patient>();
  let nextId = 1;
  const store = (p: Patient, version: number): Patient => {
    const stored = { ...p, meta: { ...p.meta, versionId: String(version), lastUpdated: new Date().toISOString() } };
    patients.set(p.id, stored);
    return stored;
  };
  // The probes' `patientId`, at version 2.
  store({ resourceType: 'Patient', id: 'example', name: [{ family: 'Example' }] }, 2);

  type Context = { req: { body: unknown; headers: http.IncomingHttpHeaders } };
  const service = {
    searchById: async (args: { id: string }) => {
      const found = patients.get(args.id);
      if (!found) throw outcome(404, 'not-found', `Resource Patient/${args.id} not found`);
      return found;
    },
    search: async () => ({ resourceType: 'Bundle', type: 'searchset', total: patients.size, entry: [...patients.values()].map((resource) => ({ resource })) }),
    create: async (_args: unknown, { req }: Context) => {
      const body = req.body as Partial<Patient> | undefined;
      if (!body || body.resourceType !== 'Patient') throw outcome(400, 'invalid', 'The body is not a Patient');
      const id = `p${nextId++}`;
      const stored = store({ ...body, resourceType: 'Patient', id }, 1);
      return { id, resource_version: stored.meta!.versionId };
    },
    update: async (args: { id: string }, { req }: Context) => {
      const body = req.body as Partial<Patient> | undefined;
      if (!body || body.resourceType !== 'Patient' || body.id !== args.id) throw outcome(400, 'invalid', 'The body is not this Patient');
      const current = patients.get(args.id);
      const ifMatch = req.headers['if-match'];
      if (current && ifMatch !== undefined && ifMatch !== `W/"${current.meta!.versionId}"`) {
        throw outcome(412, 'conflict', `Version conflict: current version is ${current.meta!.versionId}, If-Match ${ifMatch}`);
      }
      const stored = store({ ...body, resourceType: 'Patient', id: args.id }, current ? Number(current.meta!.versionId) + 1 : 1);
      return { id: args.id, created: !current, resource_version: stored.meta!.versionId };
    },
    remove: async (args: { id: string }) => {
      patients.delete(args.id);
      return {};
    },
  };

  // A bearer strategy that fails through the library's error handler rather than passport's plain-text 401.
  function BearerStrategy(this: { name: string }) {
    Strategy.call(this);
    this.name = 'errspec-bearer';
  }
  Object.setPrototypeOf(BearerStrategy.prototype, Strategy.prototype);
  BearerStrategy.prototype.authenticate = function authenticate(this: StrategyThis, req: http.IncomingMessage) {
    if (req.headers.authorization === `Bearer ${token}`) this.success({ id: 'errspec' });
    else this.error(outcome(401, 'login', 'Authentication required'));
  };
  passport.use('errspec-bearer', new (BearerStrategy as unknown as new () => object)());

  const config = {
    profiles: { patient: { service, versions: [core.constants.VERSIONS['4_0_0']] } },
    auth: { strategy: { name: 'errspec-bearer', useSession: false } },
    server: { port: 0 },
    // Its winston logger would print every error answer it sends.
    logging: { level: 'emerg' },
  };
  // The library turns authentication off when NODE_ENV is `test` (Jest's): build its routes as in production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  let fhir: CoreServer;
  try {
    // `initialize()` without configurePassport, whose strategy must be a module path; the strategy is registered above.
    fhir = new core.Server(config).configureMiddleware().configureSession().configureHelmet().setPublicDirectory().setProfileRoutes().setErrorRoutes();
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const app = fhir.app;
  const server = http.createServer((req, res) => {
    if (options.wrap) options.wrap(req, res, () => app(req, res));
    else app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/4_0_0`,
    token,
    count: async () => patients.size,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
