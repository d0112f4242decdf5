// Bundles the Electron shell into build/electron/: main.mjs (ESM) and preload.cjs (a sandboxed
// preload cannot be ESM). The engine is not bundled: it runs from core/ through tsx in the
// utilityProcess (electron/engine-host/engine-boot.mjs), like the CLI; see README "Building installers".
// Usage: npx tsx scripts/build-electron.ts [--watch]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'build', 'electron');

const common: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  external: ['electron'],
  sourcemap: true,
  logLevel: 'info',
  absWorkingDir: root,
};

const builds: esbuild.BuildOptions[] = [
  { ...common, entryPoints: ['electron/main/main.ts'], outfile: path.join(out, 'main.mjs'), format: 'esm' },
  {
    ...common,
    entryPoints: ['electron/preload/preload.ts'],
    outfile: path.join(out, 'preload.cjs'),
    format: 'cjs',
  },
];

if (process.argv.includes('--watch')) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build({ ...b, metafile: true })));
  // The preload must stay small and self-contained: electron is its only import.
  const preloadInputs = Object.keys(results[1]!.metafile!.inputs);
  const foreign = preloadInputs.filter((f) => !/^(electron|core\/api)\//.test(f));
  if (foreign.length) throw new Error(`preload pulls in more than the bridge: ${foreign.join(', ')}`);
}
