// `npm run bench`: prints figures; never part of the test suite. `npm run bench -- startup` runs one.
import { benchEngineStartup } from './engine-startup.ts';

const benches: Record<string, () => void | Promise<void>> = {
  startup: () => benchEngineStartup(),
};

const chosen = process.argv.slice(2);
for (const [name, run] of Object.entries(benches)) {
  if (chosen.length && !chosen.includes(name)) continue;
  await run();
}
