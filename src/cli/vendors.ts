import type { Command } from 'commander';
import { listVendors } from '../api/vendors';
import { addProfileOptions, type Io } from './io';

export function registerVendorsCommand(program: Command, io: Io): void {
  addProfileOptions(program
    .command('vendors')
    .description('list the built-in vendor profiles and those given with --profile: id, title, envelope, number of codes and rules')
    .option('--json', 'print as JSON', false))
    .action((options: { json: boolean }) => {
      const rows = listVendors();
      if (options.json) {
        io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const header = ['id', 'title', 'envelope', 'codes', 'rules', 'probes'];
      const cells = rows.map((r) => [r.id, r.title, r.envelope, String(r.codes), String(r.rules), String(r.probes)]);
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
      for (const line of [header, ...cells]) io.stdout.write(`${line.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()}\n`);
    });
}
