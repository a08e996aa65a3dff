import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ProfileInvalidError, UsageError } from '../errors';
import { loadOpenApi } from '../openapi/load';
import { operationsOf } from '../openapi/operations';
import { profileFromOpenApi } from '../openapi/profile-from';
import { loadProfile, parseYamlText, profileFromYaml, standards } from '../profile/load';
import { writeFileAtomic } from '../util/write-atomic';
import { addProfileOptions, type Io } from './io';

interface InitOptions {
  fromOpenapi?: string;
  id?: string;
  extends?: string;
  out?: string;
  force: boolean;
  profile: string[];
}

export function registerInitCommand(program: Command, io: Io): void {
  addProfileOptions(program
    .command('init')
    .description('write a profile of your own API, a first draft to review, from the error responses its OpenAPI document declares')
    .option('--from-openapi <file>', 'the OpenAPI 3.0/3.1 document (YAML or JSON; $refs to other local files are followed)')
    .option('--id <id>', 'the profile\'s id (kebab-case): its vendor id on every command')
    .option('--extends <vendor>', 'build on this vendor (its envelope, auth and rules), adding the document\'s codes and statuses')
    .option('--out <file>', 'where to write the profile (default ./<id>.errspec.yaml)')
    .option('--force', 'overwrite the output file', false))
    .action((options: InitOptions) => {
      io.exitCode = init(options, io);
    });
}

export function init(options: InitOptions, io: Io): number {
  if (!options.fromOpenapi) throw new UsageError('init needs --from-openapi FILE');
  if (!options.id || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(options.id)) throw new UsageError('init needs --id ID, kebab-case (e.g. my-api)');
  const out = path.resolve(options.out ?? `${options.id}.errspec.yaml`);
  if (existsSync(out) && !options.force) throw new UsageError(`${out} exists: choose another --out, or --force to overwrite it`);
  const base = options.extends === undefined ? undefined : loadProfile(options.extends);
  const api = loadOpenApi(options.fromOpenapi);
  const generated = profileFromOpenApi(api, operationsOf(api), { id: options.id, base, standards: standards() });
  // What is written is what `verify --profile` will load: validate it the same way first.
  try {
    profileFromYaml(parseYamlText(generated.text, out, (m) => new ProfileInvalidError(m)));
  } catch (error) {
    throw new ProfileInvalidError(`the profile generated from ${options.fromOpenapi} does not validate (please report this): ${(error as Error).message}`);
  }
  writeFileAtomic(out, generated.text);
  io.stdout.write(`wrote ${path.relative(process.cwd(), out) || out}: ${Object.keys(generated.doc.codes ?? {}).length} codes, ${generated.doc.probes.length} probes (review it, then: errspec verify --profile ${path.relative(process.cwd(), out) || out} --base-url URL)\n`);
  for (const note of generated.notes) io.stdout.write(`note: ${note}\n`);
  return 0;
}
