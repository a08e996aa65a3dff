import { harBatches } from '../src/har/read';
import { loadProfile } from '../src/profile/load';
import { schemas } from '../src/profile/schemas';

/**
 * The floor of `errspec check`: the least a tool doing its job must spend. It scans the same HAR with
 * errspec's own streaming byte scanner (src/har/read.ts) and validates each non-2xx body, parsed once,
 * with one precompiled ajv validator (the vendor's envelope schema). No redaction, no other checks, no
 * reports. `node dist/bench/floor.js FILE.har VENDOR`; prints the entries and bodies it validated.
 */
function main(file: string, vendor: string): void {
  const profile = loadProfile(vendor);
  const validate = schemas().validator(profile.doc.envelope.schema);
  let entries = 0;
  let valid = 0;
  for (const batch of harBatches(file)) {
    for (const entry of batch.entries) {
      entries++;
      const status = entry.response.status;
      if (status >= 200 && status < 300) continue;
      const content = entry.response.content;
      let text = typeof content?.text === 'string' ? content.text : '';
      if (content?.encoding === 'base64') text = Buffer.from(text, 'base64').toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        continue;
      }
      if (validate(body)) valid++;
    }
  }
  process.stdout.write(`${entries} entries, ${valid} valid bodies\n`);
}

main(process.argv[2], process.argv[3]);
