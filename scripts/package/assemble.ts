// Lays out the app as electron-builder would from electron-builder.yml, without Electron: the
// `files` globs plus the production node_modules packed into resources/app.asar (with
// @electron/asar, which electron-builder's archive format is), `asarUnpack` and native packages
// beside it in resources/app.asar.unpacked/, and `extraResources` copied to resources/.
// The packaged-app smoke test (test/package-smoke.test.ts) boots the engine from this layout.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createPackageFromStreams, type AsarStreamType } from '@electron/asar';
import picomatch from 'picomatch';
import {
  packageConfig,
  readBuilderConfig,
  type PackageConfig,
  type RawBuilderConfig,
} from './builder-config.ts';
import { productionDeps } from './production-deps.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface AssembleOptions {
  /** The folder to create `resources/` in (outside the repository). */
  outDir: string;
  /** electron-builder.yml (relative to the repository root), or a config object (tests alter one). */
  config?: string | RawBuilderConfig;
  /** Ship only this machine's node-llama-cpp CPU build (default), not every installed prebuilt. */
  hostPrebuiltsOnly?: boolean;
  root?: string;
}

export interface PackageLayout {
  /** `<outDir>/resources`: app.asar, app.asar.unpacked/, the extraResources. */
  resources: string;
  archive: string;
  /** Paths inside the archive (forward slashes), and which of them are unpacked. */
  files: string[];
  unpacked: string[];
  /** Positive `files` patterns that matched nothing (a build step not run, a typo). */
  unmatchedPatterns: string[];
  /** extraResources entries whose `from` does not exist (electron-builder skips them). */
  missingResources: string[];
  /** Installed packages left out (see hostPrebuiltsOnly). */
  excludedPackages: string[];
  archiveBytes: number;
  durationMs: number;
}

// electron-builder's default exclusions (app-builder-lib fileMatcher / NodeModuleCopyHelper).
const EXCLUDED_NAMES = new Set(
  (
    '.git,.hg,.svn,CVS,RCS,SCCS,__pycache__,.DS_Store,thumbs.db,.gitignore,.gitkeep,.gitattributes,' +
    '.npmignore,.idea,.vs,.flowconfig,.jshintrc,.eslintrc,.circleci,.yarn-integrity,.yarn-metadata.json,' +
    'yarn-error.log,yarn.lock,package-lock.json,npm-debug.log,appveyor.yml,.travis.yml,circle.yml,' +
    '.nyc_output,.husky,.github,electron-builder.env'
  ).split(','),
);
const EXCLUDED_EXT = /\.(iml|hprof|orig|pyc|pyo|rbc|swp|csproj|sln|suo|xproj|cc|d\.ts|mk|a|o|obj)$/;
const MODULE_EXCLUDED_NAMES = new Set([
  ...EXCLUDED_NAMES,
  'CHANGELOG.md',
  'ChangeLog',
  'changelog.md',
  'Changelog.md',
  'Changelog',
  'binding.gyp',
  'node_gyp_bins',
]);
const MODULE_TOP_EXCLUDED = new Set(
  (
    'karma.conf.js,.coveralls.yml,README.md,readme.markdown,README,readme.md,Readme.md,Readme,readme,' +
    'test,tests,__tests__,powered-test,example,examples,.bin'
  ).split(','),
);
/** electron-builder's smartUnpack: a package holding one of these is unpacked whole. */
const NATIVE_FILE = /\.(dll|exe|dylib|so|node)$/;

interface Entry {
  /** Path inside the archive, forward slashes. */
  rel: string;
  abs: string;
  content?: Buffer;
}

/** Files under `dir` (recursively), relative to it, skipping what `skip` refuses (names, at depth). */
function walk(dir: string, skip: (name: string, relDir: string) => boolean, relDir = ''): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(path.join(dir, relDir), { withFileTypes: true })) {
    if (skip(d.name, relDir)) continue;
    const rel = relDir ? `${relDir}/${d.name}` : d.name;
    if (d.isDirectory()) out.push(...walk(dir, skip, rel));
    else if (d.isFile()) out.push(rel);
    else if (d.isSymbolicLink() && fs.statSync(path.join(dir, rel)).isFile()) out.push(rel);
  }
  return out;
}

const skipDefault = (name: string) => EXCLUDED_NAMES.has(name) || EXCLUDED_EXT.test(name);

/** The app's own files: every file under the static part of each positive pattern, filtered. */
function appFiles(root: string, config: PackageConfig): { files: string[]; unmatched: string[] } {
  const positives = config.files.filter((p) => !p.startsWith('!'));
  const negatives = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const excluded = picomatch(negatives.length ? negatives : ['\0'], { dot: true });
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const pattern of positives) {
    const isMatch = picomatch(pattern, { dot: true });
    const { base } = picomatch.scan(pattern);
    const baseAbs = path.join(root, base);
    let candidates: string[] = [];
    if (fs.existsSync(baseAbs) && fs.statSync(baseAbs).isDirectory()) {
      candidates = walk(
        baseAbs,
        (name, relDir) => skipDefault(name) || (name === 'node_modules' && !relDir),
      ).map((f) => (base ? `${base}/${f}` : f));
    } else if (fs.existsSync(baseAbs)) candidates = [base];
    const hits = candidates.filter((f) => isMatch(f) && !excluded(f));
    if (!hits.length) unmatched.push(pattern);
    for (const f of hits) files.add(f);
  }
  files.add('package.json');
  return { files: [...files].sort(), unmatched };
}

/** The production packages' files, minus electron-builder's default exclusions and `files` negations. */
function moduleFiles(root: string, config: PackageConfig, hostPrebuiltsOnly: boolean) {
  const deps = productionDeps(root, { hostPrebuiltsOnly });
  const negatives = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const excluded = picomatch(negatives.length ? negatives : ['\0'], { dot: true });
  const files: string[] = [];
  const nativePackages = new Set<string>();
  for (const pkg of deps.packages) {
    const skip = (name: string, relDir: string) =>
      name === 'node_modules' ||
      MODULE_EXCLUDED_NAMES.has(name) ||
      EXCLUDED_EXT.test(name) ||
      (!relDir && MODULE_TOP_EXCLUDED.has(name));
    for (const f of walk(pkg.dir, skip)) {
      const rel = `${pkg.rel}/${f}`;
      if (excluded(rel)) continue;
      files.push(rel);
      if (config.smartUnpack && isNativeCode(path.join(pkg.dir, f))) nativePackages.add(pkg.rel);
    }
  }
  return { files, nativePackages, excluded: deps.excluded };
}

/** Native code by electron-builder's rule: a library/executable extension, or an extension-less binary. */
function isNativeCode(file: string): boolean {
  const base = path.basename(file);
  if (NATIVE_FILE.test(base)) return true;
  if (path.extname(base)) return false;
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(1024);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).includes(0);
  } finally {
    fs.closeSync(fd);
  }
}

/** package.json as the app sees it: electron-builder merges `extraMetadata` (e.g. "main"). */
function packageJson(root: string, config: PackageConfig): Buffer {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...pkg, ...config.extraMetadata }, null, 2));
}

function toStreams(entries: Entry[], unpack: (rel: string) => boolean): AsarStreamType[] {
  const streams: AsarStreamType[] = [];
  const dirs = new Set<string>();
  for (const e of entries) {
    const parts = e.rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      streams.push({ type: 'directory', path: dir, unpacked: false });
    }
    const stat = fs.statSync(e.abs);
    const content = e.content;
    streams.push({
      type: 'file',
      path: e.rel,
      unpacked: unpack(e.rel),
      stat: { mode: stat.mode, size: content ? content.length : stat.size },
      streamGenerator: () => (content ? Readable.from([content]) : fs.createReadStream(e.abs)),
    });
  }
  return streams;
}

/**
 * electron-builder's copier makes what it copies readable by all (and executable by all when the
 * owner may execute it): build/pg-template's 0600 cluster files become 0644 in the installer.
 */
function copyReadable(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  const mode = fs.statSync(from).mode & 0o777;
  fs.chmodSync(to, mode | 0o044 | (mode & 0o100 ? 0o011 : 0));
}

/** Copies each extraResources entry to resources/<to>, honouring its filter. */
function copyExtraResources(root: string, config: PackageConfig, resources: string): string[] {
  const missing: string[] = [];
  for (const res of config.extraResources) {
    const from = path.join(root, res.from);
    if (!fs.existsSync(from)) {
      missing.push(res.from);
      continue;
    }
    const to = path.join(resources, res.to);
    if (fs.statSync(from).isFile()) {
      copyReadable(from, to);
      continue;
    }
    const keep = picomatch(res.filter, { dot: true });
    for (const f of walk(from, skipDefault).filter((f) => keep(f)))
      copyReadable(path.join(from, f), path.join(to, f));
  }
  return missing;
}

/**
 * Runs `fn` with umask 022, a build machine's usual one: modes then come out as electron-builder
 * would write them there, whatever this process set (the engine makes its own files private).
 */
export async function withBuildUmask<T>(fn: () => Promise<T>): Promise<T> {
  const saved = process.umask(0o022);
  try {
    return await fn();
  } finally {
    process.umask(saved);
  }
}

export function assemblePackage(opts: AssembleOptions): Promise<PackageLayout> {
  return withBuildUmask(() => assemble(opts));
}

async function assemble(opts: AssembleOptions): Promise<PackageLayout> {
  const started = performance.now();
  const root = opts.root ?? REPO_ROOT;
  const raw =
    typeof opts.config === 'object'
      ? opts.config
      : readBuilderConfig(path.resolve(root, opts.config ?? 'electron-builder.yml'));
  const config = packageConfig(raw);
  const resources = path.join(opts.outDir, 'resources');
  const archive = path.join(resources, 'app.asar');
  if (fs.existsSync(resources)) throw new Error(`${resources} exists already: assemble into a new folder`);
  fs.mkdirSync(resources, { recursive: true });

  const app = appFiles(root, config);
  const modules = moduleFiles(root, config, opts.hostPrebuiltsOnly ?? true);
  const pkgJson = packageJson(root, config);
  const entries: Entry[] = [
    ...app.files.map((rel) => ({
      rel,
      abs: path.join(root, rel),
      ...(rel === 'package.json' ? { content: pkgJson } : {}),
    })),
    ...modules.files.map((rel) => ({ rel, abs: path.join(root, rel) })),
  ];
  const unpackGlob = picomatch(config.asarUnpack.length ? config.asarUnpack : ['\0'], { dot: true });
  const nativeRoots = [...modules.nativePackages].map((p) => `${p}/`);
  const unpack = (rel: string) => unpackGlob(rel) || nativeRoots.some((p) => rel.startsWith(p));

  const out = await createPackageFromStreams(archive, toStreams(entries, unpack));
  // It resolves once the last write is queued: wait until the archive is on disk.
  if (!out.closed) {
    await new Promise<void>((resolve, reject) => out.once('close', () => resolve()).once('error', reject));
  }
  const missingResources = copyExtraResources(root, config, resources);

  return {
    resources,
    archive,
    files: entries.map((e) => e.rel),
    unpacked: entries.map((e) => e.rel).filter(unpack),
    unmatchedPatterns: app.unmatched,
    missingResources,
    excludedPackages: modules.excluded,
    archiveBytes: fs.statSync(archive).size,
    durationMs: Math.round(performance.now() - started),
  };
}
