import { writeFileSync } from 'node:fs';

// Preloaded (--require) into a measured child: on exit, its peak RSS (KiB, worker threads included) goes to a file.
const file = process.env.ERRSPEC_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, JSON.stringify({ maxRSS: process.resourceUsage().maxRSS })));
