import { Option, type Command } from 'commander';

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
    .option('--junit <file>', 'write a JUnit XML report to FILE')
    .option('--html <file>', 'write a self-contained HTML report to FILE')
    .option('--summary <file>', 'write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)')
    .option('--strict', 'warnings fail the run', false)
    .option('--quiet', 'print only the summary', false)
    .addOption(new Option('--debug', 'show stack traces of errors').default(false));
}
