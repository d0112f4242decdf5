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
  // OCR: a native canvas (Skia) for drawing PDF pages, and Tesseract's WASM with its worker script.
  '@napi-rs/canvas',
  'tesseract.js',
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
  /** Files of earlier builds still kept (see `keepSupersededMs`), and their bytes. */
  superseded: { files: number; bytes: number };
  ms: number;
}

export interface BuildOptions {
  /** The output folder, build/app or build/electron by default. */
  outDir?: string;
  /**
   * How long a file that the build no longer produces is kept, from the first build that found it
   * superseded: a process started from an earlier build may still load it (see `retire`). 0
   * removes them all now (`npm run build -- --prune`).
   */
  keepSupersededMs?: number;
  /** More esbuild plugins, after the build's own (tests use one to edit a source in passing). */
  plugins?: esbuild.Plugin[];
}

/**
 * A day: a `pustaka serve` or a desktop app started from this checkout keeps loading its chunks
 * for that long after the sources changed (it loads most of them when it opens the engine), while
 * build/app grows by only 1–3 MB per changed source state (measured) until they go.
 */
export const KEEP_SUPERSEDED_MS = 24 * 60 * 60 * 1000;

/** Bundles the app into `outDir` (default build/app). */
export async function buildApp(opts: BuildOptions = {}): Promise<BuildResult> {
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
    // Stack traces map to the TypeScript file and line; the sources themselves are not shipped.
    sourcemap: true,
    sourcesContent: false,
    external: APP_EXTERNALS,
    banner: { js: REQUIRE_BANNER },
    plugins: [SOURCE_ONLY, ...(opts.plugins ?? [])],
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  checkImports(result.metafile);
  return { ...syncFolder(outDir, result.outputFiles, opts), ms: performance.now() - started };
}

/** Bundles the Electron shell into `outDir` (default build/electron). */
export async function buildElectron(opts: BuildOptions = {}): Promise<BuildResult> {
  const outDir = path.resolve(opts.outDir ?? path.join(ROOT, 'build', 'electron'));
  const started = performance.now();
  const common = {
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node22',
    external: ['electron'],
    sourcemap: true,
    sourcesContent: false,
    plugins: opts.plugins ?? [],
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
  return { ...syncFolder(outDir, outputs, opts), ms: performance.now() - started };
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
 * Makes `outDir` hold these files, rewriting only those whose bytes changed (each by a rename, so
 * a process starting meanwhile never reads half a file), and retires the files earlier builds left.
 * Several test runs may build at once: an unchanged build then writes nothing at all.
 */
function syncFolder(
  outDir: string,
  outputs: esbuild.OutputFile[],
  opts: BuildOptions,
): Omit<BuildResult, 'ms'> {
  fs.mkdirSync(outDir, { recursive: true });
  let written = 0;
  for (const out of outputs) {
    let same = false;
    try {
      same = Buffer.compare(fs.readFileSync(out.path), out.contents) === 0;
    } catch {
      // missing: written below
    }
    if (same) continue;
    writeAtomically(out.path, out.contents);
    written++;
  }
  const current = new Set(outputs.map((o) => path.basename(o.path)));
  const superseded = retire(outDir, current, opts.keepSupersededMs ?? KEEP_SUPERSEDED_MS);
  return { outDir, files: sizes(outDir, outputs), written, superseded };
}

/** Where `retire` notes since when each file of `outDir` has been superseded (ms since 1970). */
const SUPERSEDED_RECORD = '.superseded.json';

/** Temporary files of a build that died between writing and renaming are this old at least. */
const ABANDONED_TMP_MS = 60 * 60 * 1000;

/**
 * Files an earlier build wrote and this one does not are not removed at once: a process started
 * from that build (`pustaka serve`, the desktop app, another test run from other sources) loads
 * chunks by `import()` when it first needs them, perhaps hours later, and the entries it already
 * runs name those chunks. Chunk names carry a hash of their content, so an old chunk never clashes
 * with a new one. Each is noted with the time a build first found it superseded and removed once
 * that is `keepMs` ago. The note is rewritten only when it changes.
 */
function retire(outDir: string, current: Set<string>, keepMs: number): BuildResult['superseded'] {
  const now = Date.now();
  const recordFile = path.join(outDir, SUPERSEDED_RECORD);
  const before = readRecord(recordFile);
  const after: Record<string, number> = {};
  let bytes = 0;
  for (const name of fs.readdirSync(outDir).sort()) {
    if (current.has(name) || name === SUPERSEDED_RECORD) continue;
    const file = path.join(outDir, name);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      continue; // removed meanwhile by a concurrent build
    }
    if (name.endsWith('.tmp')) {
      // Another build's file between its write and its rename, unless it is old.
      if (now - stat.mtimeMs > ABANDONED_TMP_MS) fs.rmSync(file, { force: true });
      continue;
    }
    const since = before[name] ?? now;
    if (now - since >= keepMs) {
      fs.rmSync(file, { force: true, recursive: true });
    } else {
      after[name] = since;
      bytes += stat.size;
    }
  }
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    if (Object.keys(after).length > 0) writeAtomically(recordFile, `${JSON.stringify(after, null, 2)}\n`);
    else fs.rmSync(recordFile, { force: true });
  }
  return { files: Object.keys(after).length, bytes };
}

/** The record of superseded files; unreadable or missing: none yet (so all are kept longer). */
function readRecord(file: string): Record<string, number> {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
  } catch {
    return {};
  }
}

function writeAtomically(file: string, contents: Uint8Array | string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

function sizes(outDir: string, outputs: esbuild.OutputFile[]): BuiltFile[] {
  return outputs.map((o) => ({ file: path.relative(outDir, o.path), bytes: o.contents.byteLength }));
}
