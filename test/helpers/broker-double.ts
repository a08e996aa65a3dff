import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The body of `POST /contracts/publish` as the Pact Broker API defines it. */
export interface Publication {
  pacticipantName: string;
  pacticipantVersionNumber: string;
  branch?: string;
  tags?: string[];
  buildUrl?: string;
  contracts: { consumerName: string; providerName: string; specification: string; contentType: string; content: string; onConflict?: string }[];
}

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface BrokerDouble {
  url: string;
  /** Every request, in order (provider-state calls included). */
  requests: ReceivedRequest[];
  /** Parsed bodies of every `POST /contracts/publish`. */
  publications: Publication[];
  /** Provider states the Pact verifier set up, in order. */
  states: string[];
  /** What `GET /matrix` answers for a pacticipant version (unknown versions: not deployable). */
  setDeployable(pacticipant: string, version: string, deployable: boolean): void;
  close(): Promise<void>;
}

/** Where the Pact verifier posts provider states to the double. */
export const BROKER_STATE_PATH = '/_pact/provider-states';

const HAL = 'application/hal+json;charset=utf-8';

/**
 * A Pact Broker test double on 127.0.0.1: the index resource, `POST /contracts/publish` and enough of
 * `GET /matrix` for can-i-deploy. It records what it receives. With `token`, every broker call must carry
 * it as a bearer token; the double echoes the Authorization header into its publish logs, so a test can
 * prove errspec redacts what the Pact CLI prints.
 */
export async function startBrokerDouble(options: { token?: string } = {}): Promise<BrokerDouble> {
  const requests: ReceivedRequest[] = [];
  const publications: Publication[] = [];
  const states: string[] = [];
  const deployable = new Map<string, boolean>();
  let base = '';

  const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': HAL, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
  };

  const index = () => {
    const link = (path: string, templated = false) => ({ href: `${base}${path}`, ...(templated ? { templated: true } : {}) });
    return {
      _links: {
        self: link('/'),
        'pb:publish-contracts': { ...link('/contracts/publish'), title: 'Publish contracts' },
        'pb:pacticipants': link('/pacticipants'),
        'pb:pacticipant': link('/pacticipants/{pacticipant}', true),
        'pb:latest-version': link('/pacticipants/{pacticipant}/latest-version', true),
        'pb:latest-tagged-version': link('/pacticipants/{pacticipant}/latest-version/{tag}', true),
        'pb:pacticipant-branch': link('/pacticipants/{pacticipant}/branches/{branch}', true),
        'pb:pacticipant-version': link('/pacticipants/{pacticipant}/versions/{version}', true),
        'pb:environments': link('/environments'),
        'pb:webhooks': link('/webhooks'),
        'pb:webhook': link('/webhooks/{uuid}', true),
      },
    };
  };

  const publish = (req: http.IncomingMessage, res: http.ServerResponse, body: string): void => {
    let publication: Publication;
    try {
      publication = JSON.parse(body) as Publication;
    } catch {
      return reply(res, 400, { errors: { body: ['is not JSON'] } });
    }
    if (!publication.pacticipantName || !publication.pacticipantVersionNumber || !Array.isArray(publication.contracts)) {
      return reply(res, 400, { errors: { body: ['needs pacticipantName, pacticipantVersionNumber and contracts'] } });
    }
    publications.push(publication);
    const { pacticipantName: name, pacticipantVersionNumber: version } = publication;
    const pacticipantUrl = `${base}/pacticipants/${encodeURIComponent(name)}`;
    reply(res, 200, {
      _embedded: {
        pacticipant: { name, _links: { self: { href: pacticipantUrl, name, title: 'Pacticipant' } } },
        version: { number: version, _links: { self: { href: `${pacticipantUrl}/versions/${encodeURIComponent(version)}`, name: version, title: 'Version' } } },
      },
      notices: [{ type: 'success', text: `Created ${name} version ${version} (authorization seen: ${req.headers.authorization ?? 'none'})` }],
      // Logs are what older clients read (the peers contract); the Rust CLI wants deprecationWarning in each.
      logs: publication.contracts.map((c) => ({
        level: 'info',
        message: `Pact published for ${c.consumerName} version ${version} and provider ${c.providerName}`,
        deprecationWarning: 'Replaced by notices',
      })),
      _links: {
        'pb:pacticipant': { href: pacticipantUrl, name, title: 'Pacticipant' },
        'pb:pacticipant-version': { href: `${pacticipantUrl}/versions/${encodeURIComponent(version)}`, name: version, title: 'Pacticipant version' },
        'pb:pacticipant-version-tags': (publication.tags ?? []).map((tag) => ({ name: tag, title: 'Tag', href: `${base}/pacticipants/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/tags/${encodeURIComponent(tag)}` })),
        'pb:contracts': publication.contracts.map((c) => ({
          href: `${base}/pacts/provider/${encodeURIComponent(c.providerName)}/consumer/${encodeURIComponent(c.consumerName)}/version/${encodeURIComponent(version)}`,
          name: `Pact between ${c.consumerName} and ${c.providerName}`,
          title: 'Pact',
        })),
      },
    });
  };

  const matrix = (res: http.ServerResponse, url: URL): void => {
    const pacticipant = url.searchParams.get('q[][pacticipant]') ?? '';
    const version = url.searchParams.get('q[][version]') ?? '';
    const ok = deployable.get(`${pacticipant}@${version}`) ?? false;
    reply(res, 200, {
      summary: { deployable: ok, reason: ok ? 'All required verification results are published and successful' : 'The verification between the consumer and the provider failed', success: ok ? 1 : 0, failed: ok ? 0 : 1, unknown: 0 },
      matrix: [{
        consumer: { name: pacticipant, version: { number: version } },
        provider: { name: 'opescare', version: { number: '1.0.0' } },
        pact: { createdAt: '2026-11-22T12:00:00+00:00' },
        verificationResult: { success: ok, verifiedAt: '2026-11-22T12:00:00+00:00', _links: { self: { href: `${base}/verification-results/1` } } },
      }],
      notices: [{ type: ok ? 'success' : 'error', text: ok ? 'Computer says yes' : 'Computer says no' }],
    });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const url = new URL(req.url ?? '/', base);
      if (url.pathname === BROKER_STATE_PATH && req.method === 'POST') {
        const state = (JSON.parse(body || '{}') as { state?: string; action?: string });
        if (state.action !== 'teardown' && state.state) states.push(state.state);
        return reply(res, 200, {});
      }
      if (options.token && req.headers.authorization !== `Bearer ${options.token}`) return reply(res, 401, { error: 'unauthorised' });
      if (url.pathname === '/' && req.method === 'GET') return reply(res, 200, index());
      if (url.pathname === '/contracts/publish' && req.method === 'POST') return publish(req, res, body);
      if (url.pathname === '/matrix' && req.method === 'GET') return matrix(res, url);
      reply(res, 404, { error: `the broker double does not implement ${req.method} ${url.pathname}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    publications,
    states,
    setDeployable: (pacticipant, version, ok) => void deployable.set(`${pacticipant}@${version}`, ok),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
