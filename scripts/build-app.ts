// The esbuild half of `npm run build` (scripts/build.ts), a module so that tests can build into a
// folder of their own (test/build-output.test.ts):
// - build/app/: the engine, the CLI, the worker threads and the model hosts, one bundle per entry
//   of core/base/app-files.ts ENTRY_SOURCES plus shared chunks, all flat in the one folder: every
//   output file's import.meta.url is then `<root>/build/app/<file>.js`, two folders below the app
//   root like core/base/app-files.ts, which derives every path of the app from it.
// - build/electron/: main.mjs (ESM) and preload.cjs (a sandboxed preload cannot be ESM).
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ENTRY_SOURCES } from '../core/base/app-files.ts';

export const ROOT = path.resolve(fileURLToPath(new URL('../', import.meta.url)));

/**
 * Packages left as imports, resolved from node_modules at run time (their subpaths too): native
 * add-ons, WASM and data files a bundle cannot carry, Electron, and optional native add-ons that
 * packages probe in try/catch (ws: bufferutil, utf-8-validate). Every other package is bundled.
 */
export const APP_EXTERNALS = [
  'better-sqlite3',
  'sqlite-vec',
  'node-llama-cpp',
  '@electric-sql/pglite',
  'electron',
  'bufferutil',
  'utf-8-validate',
];

/**
 * Bundled CommonJS packages call require() (node builtins, mostly) and esbuild's ESM output has
 * none: each output file gets one from node:module. Under an alias, so that a bundled module
 * declaring its own `createRequire` does not clash.
 */
const REQUIRE_BANNER =
  "import { createRequire as __pustakaCreateRequire } from 'node:module';\n" +
  'const require = __pustakaCreateRequire(import.meta.url);';

/**
 * core/base/source-loader.ts finds tsx for `.ts` entries, which only the source tree starts: the
 * bundle gets a stub instead, so that nothing built names a dev dependency.
 */
const SOURCE_ONLY: esbuild.Plugin = {
  name: 'pustaka-source-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]core[\\/]base[\\/]source-loader\.ts$/ }, () => ({
      loader: 'js',
      contents: "export function tsxLoaderUrl() { throw new Error('the build starts no TypeScript entry'); }",
    }));
  },
};

export interface BuiltFile {
  /** Relative to the output folder. */
  file: string;
  bytes: number;
}

export interface BuildResult {
  outDir: string;
  files: BuiltFile[];
  /** Files actually rewritten (an unchanged build writes nothing). */
  written: number;
  ms: number;
}

/** Bundles the app into `outDir` (default build/app). */
export async function buildApp(opts: { outDir?: string } = {}): Promise<BuildResult> {
  const outDir = path.resolve(opts.outDir ?? path.join(ROOT, 'build', 'app'));
  const started = performance.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { ...ENTRY_SOURCES },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Flat: chunks beside the entries (see the top of this file).
    chunkNames: '[name]-[hash]',
    sourcemap: true,
    external: APP_EXTERNALS,
    banner: { js: REQUIRE_BANNER },
    plugins: [SOURCE_ONLY],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  checkImports(result.metafile);
  const written = syncFolder(outDir, result.outputFiles);
  return { outDir, files: sizes(outDir, result.outputFiles), written, ms: performance.now() - started };
}

/** Bundles the Electron shell into `outDir` (default build/electron). */
export async function buildElectron(opts: { outDir?: string } = {}): Promise<BuildResult> {
  const outDir = path.resolve(opts.outDir ?? path.join(ROOT, 'build', 'electron'));
  const started = performance.now();
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    sourcemap: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  } as const satisfies esbuild.BuildOptions;
  const [main, preload] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['electron/main/main.ts'],
      outfile: path.join(outDir, 'main.mjs'),
      format: 'esm',
    }),
    esbuild.build({
      ...common,
      entryPoints: ['electron/preload/preload.ts'],
      outfile: path.join(outDir, 'preload.cjs'),
      format: 'cjs',
    }),
  ]);
  // The preload must stay small and self-contained: its own files and the contract's bridge and
  // message checks; electron is its only import.
  const foreign = Object.keys(preload.metafile.inputs).filter(
    (f) => !/^(electron\/preload|core\/contract)\//.test(f),
  );
  if (foreign.length) throw new Error(`preload pulls in more than the bridge: ${foreign.join(', ')}`);
  const outputs = [...main.outputFiles, ...preload.outputFiles];
  const written = syncFolder(outDir, outputs);
  return { outDir, files: sizes(outDir, outputs), written, ms: performance.now() - started };
}

/**
 * What the bundle still imports at run time must be a node builtin or an external package: a
 * TypeScript file or a dev tool (tsx, esbuild, typescript) would only fail on a user's machine.
 */
function checkImports(metafile: esbuild.Metafile): void {
  const bad = new Set<string>();
  for (const out of Object.values(metafile.outputs)) {
    for (const imp of out.imports) {
      if (!imp.external) continue;
      const name = imp.path.startsWith('@')
        ? imp.path.split('/').slice(0, 2).join('/')
        : imp.path.split('/')[0]!;
      if (!imp.path.startsWith('node:') && !APP_EXTERNALS.includes(name) && !isBuiltin(imp.path))
        bad.add(imp.path);
    }
  }
  if (bad.size) throw new Error(`the app bundle imports what it does not ship: ${[...bad].join(', ')}`);
}

function isBuiltin(specifier: string): boolean {
  return builtinModules.includes(specifier.split('/')[0]!);
}

/**
 * Makes `outDir` hold exactly these files, rewriting only those whose bytes changed (each by a
 * rename, so a process starting meanwhile never reads half a file) and removing stale chunks.
 * Several test runs may build at once: an unchanged build then writes nothing at all.
 */
function syncFolder(outDir: string, outputs: esbuild.OutputFile[]): number {
  fs.mkdirSync(outDir, { recursive: true });
  let written = 0;
  const keep = new Set<string>();
  for (const out of outputs) {
    keep.add(path.basename(out.path));
    let same = false;
    try {
      same = Buffer.compare(fs.readFileSync(out.path), out.contents) === 0;
    } catch {
      // missing: written below
    }
    if (same) continue;
    const tmp = `${out.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, out.contents);
    fs.renameSync(tmp, out.path);
    written++;
  }
  for (const name of fs.readdirSync(outDir)) {
    if (!keep.has(name) && !name.endsWith('.tmp')) fs.rmSync(path.join(outDir, name), { force: true });
  }
  return written;
}

function sizes(outDir: string, outputs: esbuild.OutputFile[]): BuiltFile[] {
  return outputs.map((o) => ({ file: path.relative(outDir, o.path), bytes: o.contents.byteLength }));
}
