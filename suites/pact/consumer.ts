import { rmSync } from 'node:fs';
import path from 'node:path';
import { failuresOf, recordProbeInteraction, vendorPact } from '../../src/pact/consumer';
import { DEFAULT_CONSUMER, generatedPactDir, pactFileName } from '../../src/pact/files';
import { loadProfile } from '../../src/profile/load';

/** Where the suites write pacts (ERRSPEC_PACT_DIR, default errspec's contracts/pacts) and as which consumer (ERRSPEC_PACT_CONSUMER). */
export function pactSuiteSettings(env: NodeJS.ProcessEnv = process.env): { dir: string; consumer: string } {
  return { dir: path.resolve(env.ERRSPEC_PACT_DIR || generatedPactDir()), consumer: env.ERRSPEC_PACT_CONSUMER || DEFAULT_CONSUMER };
}

/**
 * The Pact V4 consumer suite of one vendor: one Jest test per probe, named `<probe id> > pact-interaction`.
 * Each test records the probe's interaction on Pact's mock server with errspec's engine as the consumer,
 * and fails when the engine does not accept what the interaction describes.
 */
export function pactConsumerSuite(vendorId: string): void {
  const { dir, consumer } = pactSuiteSettings();
  const profile = loadProfile(vendorId);
  const pact = vendorPact(profile, consumer, dir);

  describe(`${vendorId} pact`, () => {
    // Pact merges into an existing file: start from none, so the pact holds exactly this run's interactions.
    beforeAll(() => rmSync(path.join(dir, pactFileName(consumer, profile.id)), { force: true }));

    for (const probe of profile.probes) {
      test(`${probe.id} > pact-interaction`, async () => {
        const exchange = await recordProbeInteraction(pact, profile, probe);
        expect(failuresOf(exchange)).toEqual([]);
        // Starting a Pact mock server per interaction outlasts Jest's 5 s default on a loaded machine.
      }, 60_000);
    }
  });
}
