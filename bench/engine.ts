import { request, type Dispatcher } from 'undici';
import { loadProfile } from '../src/profile/load';
import type { Profile } from '../src/profile/profile';
import { invalidCredential, mockCredential } from '../src/probes/credentials';
import { requestFor, type OutgoingRequest } from '../src/probes/request';
import { runProbes } from '../src/probes/run';
import { serveMock, spread, type Served, type Spread } from './util';

export interface EngineFigures {
  /** Requests each side sent (and checked). */
  requests: number;
  engineMs: number;
  bareMs: number;
  /** engine / bare over all rounds. */
  ratio: number;
  /** engine / bare per round (every vendor once on each side), median with min-max. */
  rounds: Spread;
}

/** The probes runProbes sends against a mock by default (no writes, no burst), as it builds them. */
function sentRequests(profile: Profile, baseUrl: string): OutgoingRequest[] {
  const accept = [...profile.doc.envelope.mediaTypes, 'application/json'].join(', ');
  const valid = mockCredential(profile);
  return profile.probes
    .filter((p) => !p.writes && !p.burst)
    .map((probe) => {
      const out = requestFor(probe, baseUrl, profile.doc.ids, accept);
      const credential = probe.auth === 'none' ? undefined : probe.auth === 'invalid' ? invalidCredential(profile, valid) : valid;
      if (credential) out.headers[credential.header] = credential.value;
      return out;
    });
}

/** errspec's engine: runProbes, whole rounds of a vendor's probes, until `count` requests were sent and checked. */
async function engineLoop(profile: Profile, baseUrl: string, count: number): Promise<number> {
  let sent = 0;
  while (sent < count) {
    const run = await runProbes(profile, { baseUrl, credential: mockCredential(profile) });
    for (const e of run.exchanges) {
      // Writes and the burst are skipped by default: not sent, not counted.
      if (e.transportError) throw new Error(`engine: ${profile.id} ${e.id} got no response: ${e.transportError.message}`);
      if (e.response) sent++;
    }
  }
  return sent;
}

/** The floor: undici sends the same requests; each body is parsed and validated with the same compiled validator. */
async function bareLoop(profile: Profile, requests: OutgoingRequest[], count: number): Promise<number> {
  const validate = profile.envelopeValidator();
  let sent = 0;
  let valid = 0;
  while (sent < count) {
    for (const out of requests) {
      const res = await request(out.url, { method: out.method as Dispatcher.HttpMethod, headers: out.headers, body: out.body });
      const text = await res.body.text();
      if (validate(JSON.parse(text))) valid++;
      sent++;
    }
  }
  // Every mock answer is the documented envelope; a miss means the two loops did not do the same work.
  if (valid !== sent) throw new Error(`bare: ${profile.id}: ${sent - valid} answers failed the envelope schema`);
  return sent;
}

/**
 * Probe engine overhead: the same requests to the same loopback reference mocks (one `errspec mock`
 * process per vendor, so the server's work is not on the measured thread), sent and checked by
 * errspec's engine versus a bare undici loop that validates the bodies with the same compiled ajv
 * validators. Rounds alternate the two sides so a noisy neighbour hits both alike.
 */
export async function benchEngine(vendors: string[], requestsPerSide = 5000, rounds = 10): Promise<EngineFigures> {
  const mocks: Served[] = [];
  try {
    const targets: { profile: Profile; url: string; requests: OutgoingRequest[] }[] = [];
    for (const vendor of vendors) {
      const mock = await serveMock(vendor);
      mocks.push(mock);
      const profile = loadProfile(vendor);
      targets.push({ profile, url: mock.url, requests: sentRequests(profile, mock.url) });
    }
    const perRound = Math.ceil(requestsPerSide / rounds / targets.length);
    // Warm both paths (JIT tiers, connections, validators) before anything counts: the figure is the steady state.
    for (let i = 0; i < 3; i++) {
      for (const t of targets) {
        await engineLoop(t.profile, t.url, 100);
        await bareLoop(t.profile, t.requests, 100);
      }
    }
    let engineMs = 0;
    let bareMs = 0;
    let engineSent = 0;
    let bareSent = 0;
    const perRoundRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = { engine: engineMs, bare: bareMs };
      for (const t of targets) {
        // A whole number of rounds of the probe list on both sides: the same requests in the same proportions.
        const count = Math.ceil(perRound / t.requests.length) * t.requests.length;
        const sides = [
          async () => {
            const start = performance.now();
            engineSent += await engineLoop(t.profile, t.url, count);
            engineMs += performance.now() - start;
          },
          async () => {
            const start = performance.now();
            bareSent += await bareLoop(t.profile, t.requests, count);
            bareMs += performance.now() - start;
          },
        ];
        if (round % 2 === 1) sides.reverse();
        for (const side of sides) await side();
      }
      perRoundRatios.push((engineMs - before.engine) / (bareMs - before.bare));
    }
    if (engineSent !== bareSent) throw new Error(`the engine sent ${engineSent} requests, the bare loop ${bareSent}`);
    return { requests: engineSent, engineMs, bareMs, ratio: engineMs / bareMs, rounds: spread(perRoundRatios) };
  } finally {
    for (const mock of mocks) await mock.stop();
  }
}
