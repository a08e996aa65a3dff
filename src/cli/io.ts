import { Option, type Command } from 'commander';
import { UsageError } from '../errors';
import { registerProfiles } from '../profile/load';

/** Where a command writes, and the exit code it leaves. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Set by the command that ran. */
  exitCode?: number;
}

/** Options every reporting command takes. */
export function addReportOptions(command: Command): Command {
  return command
    .option('--json <file>', 'write the JSON report to FILE (- for stdout)')
    .option('--junit <file>', 'write a JUnit XML report to FILE (- for stdout)')
    .option('--html <file>', 'write a self-contained HTML report to FILE (- for stdout)')
    .option('--summary <file>', 'write a Markdown summary to FILE (- for stdout; also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--strict', 'warnings fail the run', false)
    .option('--quiet', 'print only the summary', false)
    .addOption(new Option('--debug', 'show stack traces of errors').default(false));
}

/** The report options of a command, once checked: at most one report goes to stdout, and then every other line goes to stderr. */
export interface ReportChoice {
  targets: { json?: string; junit?: string; html?: string; summary?: string };
  /** True when a report is written to stdout (`-`): progress and the summary table then go to stderr. */
  toStdout: boolean;
}

/**
 * Read `--json`, `--junit`, `--html` and `--summary`: one `-` at most (two reports cannot share stdout),
 * and only for the reports listed in `stdoutAllowed` (a command that streams a report to a file refuses `-` for it).
 */
export function reportChoice(options: ReportChoice['targets'], stdoutAllowed: readonly (keyof ReportChoice['targets'])[] = ['json', 'junit', 'html', 'summary']): ReportChoice {
  const targets = { json: options.json, junit: options.junit, html: options.html, summary: options.summary };
  const dashes = (Object.keys(targets) as (keyof typeof targets)[]).filter((k) => targets[k] === '-');
  if (dashes.length > 1) throw new UsageError(`only one report can go to stdout; ${dashes.map((k) => `--${k} -`).join(' and ')} were given`);
  const refused = dashes.find((k) => !stdoutAllowed.includes(k));
  if (refused) throw new UsageError(`--${refused} - is not supported by this command: give a file`);
  return { targets, toStdout: dashes.length === 1 };
}

/** The credential-shaped names errspec learns secrets from by itself, for --help (the list is `src/util/redact.ts`). */
const LEARNED_NAMES =
  'headers Authorization, Proxy-Authorization, Cookie, Ocp-Apim-Subscription-Key, X-Api-Key, X-Api-Token, X-Access-Token, X-Auth-Token, Private-Token, ' +
  'X-Goog-Api-Key, X-Amz-Security-Token and any name containing api-key, token, secret, password or credential; query and form parameters ' +
  'api-key, api_key, apikey, token, key, subscription-key, access_token, client_id, client_secret, client_assertion, password, sig, signature and any name ' +
  'containing api-key, token, secret, password or credential; JSON body fields named key or containing token, secret, password, privateKey, apiKey or credential';

/** Names of what a captured request carries whose values are secrets, beyond the built-in patterns. */
export interface SecretNameOptions {
  /** `--secret-header NAME` (repeatable): this request header's value is a secret. */
  secretHeader: string[];
  /** `--secret-param NAME` (repeatable): this query, form or JSON body parameter's value is a secret. */
  secretParam: string[];
}

/** `--secret-header` and `--secret-param` for the commands that read captured requests (check, proxy). */
export function addSecretNameOptions(command: Command): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  return command
    .option('--secret-header <name>', 'also treat this request header\'s value as a secret wherever it appears (repeatable)', collect, [])
    .option('--secret-param <name>', 'also treat this query, form or JSON body parameter\'s value as a secret wherever it appears (repeatable)', collect, [])
    .addHelpText('after', `\nSecrets are learned from every captured request's credential-shaped values and redacted in every output: ${LEARNED_NAMES}.`);
}

/**
 * `--profile FILE` (repeatable): user profiles, each one's `id` a vendor id `--vendor` takes. With exactly one
 * `--profile` and no `--vendor`, that profile is the vendor. Relative paths resolve against the working directory.
 */
export function addProfileOptions(command: Command): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, value];
  return command
    .option('--profile <file>', 'a profile of your own (YAML, may `extends:` a vendor); its id becomes a vendor id (repeatable)', collect, [])
    .hook('preAction', (_hooked, action) => {
      const files = action.getOptionValue('profile') as string[] | undefined;
      if (!files || files.length === 0) return;
      const loaded = registerProfiles(files, process.cwd());
      const vendor = action.getOptionValue('vendor') as string | string[] | undefined;
      const none = vendor === undefined || (Array.isArray(vendor) && vendor.length === 0);
      const takesVendor = action.options.some((o) => o.attributeName() === 'vendor');
      if (takesVendor && loaded.length === 1 && none && !action.getOptionValue('all')) {
        action.setOptionValue('vendor', Array.isArray(vendor) ? [loaded[0].id] : loaded[0].id);
      }
    });
}
