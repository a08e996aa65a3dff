import { Agent } from 'undici';
import { PactV4, SpecificationVersion, type TemplateHeaders, type TemplateQuery } from '@pact-foundation/pact';
import { checksForProbe, evaluate } from '../engine/evaluate';
import { send } from '../probes/http';
import { requestFor } from '../probes/request';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import type { EvaluatedExchange, Exchange, Finding } from '../types';
import { acceptHeader, interactionFor, sampleCredential } from './interaction';

/** The consumer side of an interaction rejected what its own contract describes. */
export class ConsumerRejectedError extends Error {
  constructor(
    readonly vendor: string,
    readonly probe: string,
    readonly failures: Finding[],
  ) {
    super(`errspec does not accept the ${vendor} interaction ${probe} it describes:\n${failures.map((f) => `  ${f.check}: ${f.message}`).join('\n')}`);
    this.name = 'ConsumerRejectedError';
  }
}

/** A Pact V4 consumer for one vendor; the pact file is written to `dir` as each interaction passes. */
export function vendorPact(profile: Profile, consumer: string, dir: string): PactV4 {
  return new PactV4({ consumer, provider: profile.id, dir, spec: SpecificationVersion.SPECIFICATION_VERSION_V4, logLevel: 'error' });
}

/** Findings that fail an exchange: the consumer does not accept what it got. */
export const failuresOf = (exchange: EvaluatedExchange): Finding[] => exchange.findings.filter((f) => f.outcome === 'fail' || f.outcome === 'error');

/** errspec's own engine as the consumer: send the probe to `baseUrl` and check the answer against the profile. */
export async function exerciseProbe(profile: Profile, probe: ProbeDef, baseUrl: string): Promise<EvaluatedExchange> {
  const out = requestFor(probe, baseUrl, profile.doc.ids, acceptHeader(profile));
  const credential = sampleCredential(profile, probe.auth);
  if (credential) out.headers[credential.header] = credential.value;
  // Every interaction gets a new mock server, possibly on a port an earlier one used: never reuse a pooled socket.
  const agent = new Agent({ pipelining: 0 });
  let result;
  try {
    // A connection the fresh Pact mock server refused or dropped says nothing about the contract: try again, bounded.
    for (let attempt = 1; ; attempt++) {
      result = await send(out, { timeoutMs: 30_000, maxBodyBytes: 1_048_576, dispatcher: agent });
      if (!result.transportError || attempt === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  } finally {
    await agent.close();
  }
  const exchange: Exchange = {
    id: probe.id,
    entry: null,
    request: { method: out.method, url: out.url, headers: out.headers, ...(out.body !== undefined ? { body: out.body } : {}) },
    ...(result.response ? { response: result.response } : {}),
    ...(result.transportError ? { transportError: result.transportError } : {}),
    expectedStatuses: probe.expect.status,
    ...(probe.expect.codes ? { expectedCodes: probe.expect.codes } : {}),
    basis: probe.basis,
    durationMs: result.durationMs,
  };
  return evaluate(profile, exchange, { checks: checksForProbe(profile, probe.expect.status) });
}

/**
 * Add one probe's interaction to the pact and prove errspec accepts it: inside the Pact mock server's test,
 * the probe engine sends the probe and checks the documented answer. The interaction is written only when the
 * mock server saw exactly the request the pact states and no check failed.
 */
export async function recordProbeInteraction(pact: PactV4, profile: Profile, probe: ProbeDef): Promise<EvaluatedExchange> {
  const spec = interactionFor(profile, probe);
  let interaction = pact.addInteraction();
  if (spec.state) interaction = interaction.given(spec.state);
  interaction = interaction.uponReceiving(spec.description);
  if (spec.comment) interaction = interaction.comment(spec.comment);
  const evaluated = await interaction
    .withRequest(spec.request.method, spec.request.path, (request) => {
      request.query(spec.request.query as TemplateQuery).headers(spec.request.headers as TemplateHeaders);
      const body = spec.request.body;
      // A JSON body is stated as JSON (compared as JSON); Pact would put a content-type matcher on raw bytes.
      if (body?.json !== undefined) request.jsonBody(body.json);
      else if (body) request.body(body.contentType, Buffer.from(body.content, 'utf8'));
    })
    .willRespondWith(spec.response.status, (response) => {
      // Content-Type first: the JSON body then keeps the vendor's media type.
      response.headers(spec.response.headers as TemplateHeaders).jsonBody(spec.response.body);
    })
    .executeTest(async (mockServer) => {
      const exchange = await exerciseProbe(profile, probe, mockServer.url);
      // Pact's mock server can answer before it records the request as matched; pact-js asks right after
      // this callback, so on a loaded machine a served request read as "expected but not received".
      await new Promise((resolve) => setTimeout(resolve, 50));
      const failures = failuresOf(exchange);
      if (failures.length > 0) throw new ConsumerRejectedError(profile.id, probe.id, failures);
      return exchange;
    });
  return evaluated!;
}

/** Record every probe of a vendor, in profile order; resolves to the exchanges errspec accepted. */
export async function recordVendorPact(profile: Profile, consumer: string, dir: string): Promise<EvaluatedExchange[]> {
  const pact = vendorPact(profile, consumer, dir);
  const exchanges: EvaluatedExchange[] = [];
  for (const probe of profile.probes) exchanges.push(await recordProbeInteraction(pact, profile, probe));
  return exchanges;
}
