import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { PactFile } from '../../src/pact/files';
import { vendorIds } from '../../src/profile/load';
import { startBrokerDouble, type BrokerDouble } from '../helpers/broker-double';
import { ROOT, runCli } from '../helpers/cli';

const TOKEN = 'canary-broker-token-8d2a61';

describe('errspec pact publish and can-i-deploy against a broker double', () => {
  let broker: BrokerDouble;
  beforeAll(async () => {
    broker = await startBrokerDouble({ token: TOKEN });
  });
  afterAll(async () => broker.close());
  const env = () => ({ PACT_BROKER_BASE_URL: broker.url, PACT_BROKER_TOKEN: TOKEN, PACT_BROKER_USERNAME: '', PACT_BROKER_PASSWORD: '' });

  test('publish sends all five contracts with version, branch, tags and build URL; the token stays out of the output', async () => {
    const result = await runCli(
      ['pact', 'publish', '--consumer-app-version', '1.4.0+ab12cd3', '--branch', 'main', '--tag', 'dev', '--tag', 'go-live', '--build-url', 'https://ci.example.org/builds/771'],
      env(),
    );
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
    // The double echoes the Authorization header into its notices, which the Pact CLI prints: errspec redacts it.
    expect(result.stdout).toContain('authorization seen: Bearer [REDACTED]');
    expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);

    expect(broker.publications).toHaveLength(vendorIds().length);
    for (const publication of broker.publications) {
      expect(publication).toMatchObject({
        pacticipantName: 'errspec',
        pacticipantVersionNumber: '1.4.0+ab12cd3',
        branch: 'main',
        tags: ['dev', 'go-live'],
        buildUrl: 'https://ci.example.org/builds/771',
      });
    }
    const published = broker.publications.flatMap((p) => p.contracts);
    expect(published.map((c) => c.providerName).sort()).toEqual(vendorIds());
    for (const contract of published) {
      expect(contract).toMatchObject({ consumerName: 'errspec', specification: 'pact', contentType: 'application/json' });
      // The Pact CLI re-serialises a pact before publishing (stamping its own pact-models version in the
      // metadata): compare what the pact says, not its bytes.
      const sent = JSON.parse(Buffer.from(contract.content, 'base64').toString('utf8')) as PactFile;
      const committed = JSON.parse(readFileSync(path.join(ROOT, 'contracts', 'pacts', `errspec-${contract.providerName}.json`), 'utf8')) as PactFile;
      const meaning = ({ consumer, provider, interactions, metadata }: PactFile) => ({ consumer, provider, interactions, spec: metadata?.pactSpecification });
      expect(meaning(sent)).toEqual(meaning(committed));
      expect(sent.interactions).toHaveLength(committed.interactions.length);
    }
    const publishCalls = broker.requests.filter((r) => r.url === '/contracts/publish');
    expect(publishCalls.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  test('can-i-deploy exits 0 when the broker says deployable and 1 when not, passing the environment on', async () => {
    broker.setDeployable('errspec', '1.4.0', true);
    const yes = await runCli(['pact', 'can-i-deploy', '--pacticipant', 'errspec', '--version', '1.4.0', '--to-environment', 'production'], env());
    expect(yes.code).toBe(0);
    expect(yes.stdout).toContain('Computer says yes');
    const asked = broker.requests.filter((r) => r.url.startsWith('/matrix')).map((r) => new URL(r.url, broker.url).searchParams);
    expect(asked.at(-1)?.get('environment')).toBe('production');
    expect(asked.at(-1)?.get('q[][version]')).toBe('1.4.0');

    broker.setDeployable('errspec', '1.5.0', false);
    const no = await runCli(['pact', 'can-i-deploy', '--pacticipant', 'errspec', '--version', '1.5.0'], env());
    expect(no.code).toBe(1);
    expect(no.stdout).toContain('Computer says no');
    for (const text of [yes.stdout, yes.stderr, no.stdout, no.stderr]) expect(text).not.toContain(TOKEN);
  });

  test('basic auth from PACT_BROKER_USERNAME/PASSWORD; the password stays out of the output', async () => {
    const open = await startBrokerDouble();
    try {
      const password = 'canary-broker-password-51f0';
      const result = await runCli(['pact', 'publish', '--consumer-app-version', '2.0.0', '--dir', path.join(ROOT, 'contracts', 'pacts')], {
        PACT_BROKER_BASE_URL: open.url,
        PACT_BROKER_TOKEN: '',
        PACT_BROKER_USERNAME: 'ci-bot',
        PACT_BROKER_PASSWORD: password,
      });
      expect(result.code).toBe(0);
      const auth = open.requests.find((r) => r.url === '/contracts/publish')?.headers.authorization;
      expect(auth).toBe(`Basic ${Buffer.from(`ci-bot:${password}`).toString('base64')}`);
      expect(`${result.stdout}${result.stderr}`).not.toContain(password);
      expect(open.publications.every((p) => p.tags === undefined && p.branch === undefined)).toBe(true);
    } finally {
      await open.close();
    }
  });
});

test('without PACT_BROKER_BASE_URL publish and can-i-deploy are usage errors (exit 2) that say what to set', async () => {
  const publish = await runCli(['pact', 'publish', '--consumer-app-version', '1.0.0'], { PACT_BROKER_BASE_URL: '' });
  expect(publish.code).toBe(2);
  expect(publish.stderr).toContain('PACT_BROKER_BASE_URL is not set');
  const canIDeploy = await runCli(['pact', 'can-i-deploy', '--pacticipant', 'errspec', '--version', '1.0.0'], { PACT_BROKER_BASE_URL: '' });
  expect(canIDeploy.code).toBe(2);
  expect(canIDeploy.stderr).toContain('PACT_BROKER_BASE_URL is not set');
});
