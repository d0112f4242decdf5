// Preloaded (`node --import`) into each process the CLI start-up bench spawns: writes the process's
// peak resident memory (worker threads included) to the file named by PUSTAKA_BENCH_RSS_FILE.
import fs from 'node:fs';

const file = process.env.PUSTAKA_BENCH_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
