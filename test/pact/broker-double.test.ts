import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPactCli, withoutPactVariables } from '../../src/pact/pact-cli';
import { BROKER_STATE_PATH, startBrokerDouble } from '../helpers/broker-double';
import { ROOT } from '../helpers/cli';

/** The Pact Broker's API contract as its official client states it (SPEC §6), copied from ../shared/peers so CI has it. */
const PEER_PACT = path.join(ROOT, 'test', 'fixtures', 'pact', 'pact-broker-client-v2.json');
const SHARED_PEER_PACT = path.resolve(ROOT, '..', 'shared', 'peers', 'pact-broker-client-v2.json');

/** The interactions the double implements: every variant of the index resource, and publishing contracts. */
const IMPLEMENTED = /^(a request for the index resource( with the webhook relation)?|a request to publish contracts)$/;

interface PeerPact {
  interactions: { description: string; providerState?: string }[];
}

test('the copied broker contract is the one in ../shared/peers, where that exists', () => {
  if (!existsSync(SHARED_PEER_PACT)) return;
  expect(JSON.parse(readFileSync(PEER_PACT, 'utf8'))).toEqual(JSON.parse(readFileSync(SHARED_PEER_PACT, 'utf8')));
});

test('the broker double passes the Pact verifier against the Pact Broker client contract it implements', async () => {
  const peer = JSON.parse(readFileSync(PEER_PACT, 'utf8')) as PeerPact;
  const implemented = peer.interactions.filter((i) => IMPLEMENTED.test(i.description));
  expect(implemented.length).toBeGreaterThanOrEqual(9);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'errspec-broker-double-'));
  const pactFile = path.join(dir, 'pact-broker-client-v2.implemented.json');
  writeFileSync(pactFile, JSON.stringify({ ...peer, interactions: implemented }));
  const reportFile = path.join(dir, 'verification.json');

  const broker = await startBrokerDouble();
  try {
    const { port } = new URL(broker.url);
    const result = await runPactCli(
      ['verifier', '--file', pactFile, '--hostname', '127.0.0.1', '--port', port, '--provider-name', 'Pact Broker',
        '--state-change-url', `${broker.url}${BROKER_STATE_PATH}`, '--json', reportFile, '--no-colour'],
      { env: withoutPactVariables() },
    );
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { result: boolean; interactionResults: { description: string; result: string }[] };
    expect({ code: result.code, failures: result.code === 0 ? '' : result.stdout.split('Failures:')[1] }).toEqual({ code: 0, failures: '' });
    expect(report.result).toBe(true);
    expect(report.interactionResults).toHaveLength(implemented.length);
    expect(report.interactionResults.every((r) => r.result === 'OK')).toBe(true);
    // The state handler saw every provider state the implemented interactions name.
    const named = implemented.map((i) => i.providerState).filter((s): s is string => Boolean(s));
    expect(new Set(broker.states)).toEqual(new Set(named));
    expect(broker.publications.map((p) => p.pacticipantName)).toEqual(['Foo']);
  } finally {
    await broker.close();
  }
});
