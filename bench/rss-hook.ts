import { writeFileSync } from 'node:fs';

// Preloaded (--require) into a measured child: on exit, its peak RSS (KiB) and CPU time (µs, user + system), worker threads included, go to a file.
const file = process.env.ERRSPEC_BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, cpuMicros: usage.userCPUTime + usage.systemCPUTime }));
  });
}
