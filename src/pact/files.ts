import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import type { Profile } from '../profile/profile';
import type { ProbeDef } from '../profile/types';
import { packageRoot } from '../util/paths';

/** The consumer name errspec's pacts carry unless `--consumer` says otherwise. */
export const DEFAULT_CONSUMER = 'errspec';

/** The pacts errspec ships: contracts/pacts/ of the errspec package (regenerated in the checkout with `--out contracts/pacts`). */
export const packagedPactDir = (): string => path.join(packageRoot(), 'contracts', 'pacts');

/** Where `pact generate` writes by default: the user's ./pacts, never into the installed package. */
export const generatedPactDir = (cwd: string = process.cwd()): string => path.join(cwd, 'pacts');

/** Where `pact verify` and `publish` read by default: the user's ./pacts when it exists, else the pacts errspec ships. */
export const defaultPactDir = (cwd: string = process.cwd()): string => (existsSync(generatedPactDir(cwd)) ? generatedPactDir(cwd) : packagedPactDir());

/** The file name Pact gives a consumer-provider pair, and errspec's vendor id is the provider name. */
export const pactFileName = (consumer: string, vendor: string): string => `${consumer}-${vendor}.json`;

/** `<probe id>: <title>`: the probe id leads, so a report can name the probe of any interaction. */
export const interactionDescription = (probe: ProbeDef): string => `${probe.id}: ${probe.title}`;

/** The probe id of an interaction errspec generated, else the description itself. */
export function probeIdOf(profile: Profile, description: string): string {
  const id = /^([^:\s]+): /.exec(description)?.[1];
  return id && profile.probes.some((p) => p.id === id) ? id : description;
}

/** The parts of a Pact V4 HTTP interaction errspec reads back (see the Pact V4 specification). */
export interface PactBody {
  content?: unknown;
  contentType?: string;
  /** `base64` when `content` is encoded bytes; false when it is JSON or text as-is. */
  encoded?: string | false;
}

export interface PactInteraction {
  description: string;
  type?: string;
  providerStates?: { name: string; params?: Record<string, unknown> }[];
  request: {
    method: string;
    path: string;
    query?: Record<string, string[]>;
    headers?: Record<string, string[] | string>;
    body?: PactBody;
  };
  response: {
    status: number;
    headers?: Record<string, string[] | string>;
    body?: PactBody;
    matchingRules?: Record<string, unknown>;
  };
  comments?: Record<string, unknown>;
}

export interface PactFile {
  consumer: { name: string };
  provider: { name: string };
  interactions: PactInteraction[];
  metadata?: Record<string, unknown>;
}

/** Read a pact file errspec wrote (or one of the same shape). Misuse, not a result: throws UsageError. */
export function readPactFile(file: string): PactFile {
  if (!existsSync(file)) throw new UsageError(`no pact file ${file}: run \`errspec pact generate\` first, or give --dir`);
  let parsed: PactFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as PactFile;
  } catch (cause) {
    throw new UsageError(`${file}: not a JSON pact file: ${(cause as Error).message}`, { cause });
  }
  if (!parsed || !Array.isArray(parsed.interactions) || !parsed.provider?.name || !parsed.consumer?.name) {
    throw new UsageError(`${file}: not a pact file (needs consumer, provider and interactions)`);
  }
  return parsed;
}

/** The state names of an interaction, in order. */
export const statesOf = (interaction: PactInteraction): string[] => (interaction.providerStates ?? []).map((s) => s.name);
