#!/usr/bin/env -S node --max-semi-space-size=32
'use strict';
// The shebang's --max-semi-space-size: a check of a large capture allocates short-lived objects at a high rate;
// V8's default young generation (16 MiB semi-spaces) spent a quarter more CPU on scavenges (bench/check.ts).
// The CLI is compiled to dist/ by `npm ci` (prepare script); run it from there.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('errspec: not built yet; run `npm run build` (npm ci does this) in ' + path.dirname(__dirname) + '\n');
  process.exit(2);
}
// A reader that went away (`errspec ... | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => { if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw error; });
}
require(entry).main(process.argv).then((code) => { process.exitCode = code; });
