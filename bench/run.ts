// `npm run bench`: prints figures; never part of the test suite. `npm run bench -- startup` runs one.
import { benchAsk } from './ask.ts';
import { benchBackup } from './backup.ts';
import { benchChunkEmbed } from './chunk-embed.ts';
import { benchEngineStartup } from './engine-startup.ts';
import { benchGolden } from './golden.ts';
import { benchLlamaEmbed } from './embed-llama.ts';
import { benchExtractText, benchIngest } from './ingest.ts';
import { benchLlm, benchLlmAbort } from './llm.ts';
import { benchSearchScale } from './search-scale.ts';
import { benchServerLoad } from './server-load.ts';
import { benchSoak } from './soak.ts';

const benches: Record<string, () => void | Promise<void>> = {
  startup: () => benchEngineStartup(),
  chunk: () => benchChunkEmbed(),
  ingest: () => benchIngest(),
  extract: () => benchExtractText(),
  llama: () => benchLlamaEmbed(),
  llm: () => benchLlm(),
  'llm-abort': () => benchLlmAbort(),
  'search-scale': () => benchSearchScale(),
  ask: () => benchAsk(),
  golden: () => benchGolden(),
  backup: () => benchBackup(),
  soak: () => benchSoak(),
  'server-load': () => benchServerLoad(),
};

const chosen = process.argv.slice(2);
const unknown = chosen.filter((c) => !(c in benches));
if (unknown.length) {
  console.error(
    `unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) {
  if (chosen.length && !chosen.includes(name)) continue;
  await run();
}
