import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadProfile } from '../profile/load';
import { writeFileAtomic } from '../util/write-atomic';
import { recordVendorPact } from './consumer';
import { pactFileName, type PactFile } from './files';

export interface GenerateOptions {
  /** Vendor ids to generate pacts for. */
  vendors: string[];
  /** The consumer name the pacts carry (`errspec` by default in the CLI). */
  consumer: string;
  /** Where `<consumer>-<vendor>.json` is written. */
  outDir: string;
  /** Called as each vendor's pact is written. */
  onWritten?: (written: GeneratedPact) => void;
}

export interface GeneratedPact {
  vendor: string;
  file: string;
  interactions: number;
}

/**
 * Regenerate the pacts: each vendor's probes become interactions, recorded against Pact's mock server with
 * errspec's engine as the consumer. Pact merges into an existing file, so each pact is built in a fresh
 * directory and then replaces the old one whole: an interaction the profile dropped does not linger.
 */
export async function generatePacts(options: GenerateOptions): Promise<GeneratedPact[]> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'errspec-pact-generate-'));
  const written: GeneratedPact[] = [];
  try {
    for (const vendor of options.vendors) {
      const profile = loadProfile(vendor);
      await recordVendorPact(profile, options.consumer, work);
      const name = pactFileName(options.consumer, profile.id);
      const content = readFileSync(path.join(work, name), 'utf8');
      const file = path.join(options.outDir, name);
      writeFileAtomic(file, content.endsWith('\n') ? content : `${content}\n`);
      const generated = { vendor: profile.id, file, interactions: (JSON.parse(content) as PactFile).interactions.length };
      written.push(generated);
      options.onWritten?.(generated);
    }
    return written;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
