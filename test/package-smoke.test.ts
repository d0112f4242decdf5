// Proof that the package runs (issue 14): the file set electron-builder.yml declares, packed into
// app.asar and laid out as an installed app, outside the repository and its node_modules; the
// engine host booted from it with plain Node as Electron's utilityProcess would, then a whole
// session over its message channel. A file left out of the config, an import that resolves only in
// the checkout, or native code packed inside the archive fails here, in CI. What this cannot prove
// (Electron itself, macOS/Windows) is listed in scripts/package/README.md.
import fs from 'node:fs';
import path from 'node:path';
import { extractFile } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type PackageLayout } from '../scripts/package/assemble.ts';
import { readBuilderConfig, type RawBuilderConfig } from '../scripts/package/builder-config.ts';
import { packagedTempDir, preparePackage, runPackagedSession } from './support/packaged/session.ts';
import { ensureRendererBuilt } from './support/ui-harness.ts';

const CONFIG = path.join(REPO_ROOT, 'electron-builder.yml');
const RENDERER_INDEX = path.join(REPO_ROOT, 'build', 'renderer', 'index.html');

let root: string;
beforeAll(() => {
  root = packagedTempDir();
  // The config ships build/renderer/**: built here (when older than its sources) so `npm test` alone suffices.
  ensureRendererBuilt();
});
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/** A new folder under this file's temp root. */
function freshDir(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o755);
  return dir;
}

const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`);

describe('the packaged app (electron-builder.yml → app.asar, booted with plain Node)', () => {
  it('carries what electron-builder.yml declares, and the engine host runs a whole session from it', async () => {
    // A package without the UI must not pass for a good one.
    expect(fs.existsSync(RENDERER_INDEX), 'build/renderer is missing: run `npm run build` first').toBe(true);
    const dir = freshDir('good');
    const { layout, app } = await preparePackage(dir);
    expect(layout.unmatchedPatterns, 'electron-builder.yml "files" patterns that matched nothing').toEqual(
      [],
    );
    expect(layout.missingResources, 'electron-builder.yml extraResources whose folder is missing').toEqual(
      [],
    );
    checkContents(layout);

    const started = performance.now();
    const report = await runPackagedSession(app, freshDir('good-work'));
    const sessionMs = Math.round(performance.now() - started);
    expect(report.steps.map((s) => s.name)).toEqual([
      'status',
      'collections.create',
      'import.run (md, html, pdf, png scan)',
      'search',
      'search (OCR text)',
      'models.catalog, models.hardware, models.import, models.use',
      'ask (tiny Llama, cancelled after 8 tokens)',
      'worker.run',
      'backup.create',
    ]);
    console.log(
      [
        `packaged app: assembled in ${layout.durationMs} ms (${layout.files.length} files, ` +
          `${layout.unpacked.length} unpacked, app.asar ${mb(layout.archiveBytes)}), mounted in ${app.durationMs} ms`,
        `  left out (this machine's node-llama-cpp CPU build only): ${layout.excludedPackages.join(', ') || 'none'}`,
        `  engine ready ${Math.round(report.readyMs)} ms after fork; RSS at ready ${mb(report.rssAtReadyBytes)}, ` +
          `peak ${mb(report.peakRssBytes)}; session ${sessionMs} ms`,
        ...report.steps.map((s) => `  ${s.name}: ${s.ms} ms (${s.detail})`),
      ].join('\n'),
    );
  }, 240_000);

  /** Each takes one needed entry out of electron-builder.yml; the smoke must fail and say what. */
  const broken: Array<[string, (c: RawBuilderConfig) => void, RegExp]> = [
    [
      'the engine bundle (files: build/app/**)',
      (c) => void (c.files = (c.files as string[]).filter((p) => p !== 'build/app/**')),
      /Cannot find module '[^']*app\.asar[\\/]build[\\/]app[\\/]engine-host\.js'/,
    ],
    [
      'the migrations (extraResources from: migrations)',
      (c) =>
        void (c.extraResources = (c.extraResources as Array<{ from: string }>).filter(
          (r) => r.from !== 'migrations',
        )),
      /ENOENT[^\n]*resources[\\/]migrations/,
    ],
    [
      'the better-sqlite3 unpack (asarUnpack, with smartUnpack off)',
      (c) => {
        c.asar = { smartUnpack: false };
        c.asarUnpack = (c.asarUnpack as string[]).filter((p) => !p.includes('better-sqlite3'));
      },
      /native add-on app\.asar\/node_modules\/better-sqlite3\/build\/Release\/better_sqlite3\.node is packed inside the archive/,
    ],
  ];
  it.each(broken)(
    'fails, naming it, when electron-builder.yml lacks %s',
    async (label, alter, expected) => {
      const config = readBuilderConfig(CONFIG);
      alter(config);
      const dir = freshDir(label.replace(/\W+/g, '-'));
      const { app } = await preparePackage(dir, { config });
      await expect(runPackagedSession(app, freshDir(`${path.basename(dir)}-work`))).rejects.toThrow(expected);
    },
    120_000,
  );

  it('fails when a runtime dependency is missing and one in a parent node_modules would hide it', async () => {
    // As if @electric-sql/pglite were a devDependency: not shipped, yet found above the app on a
    // developer's machine. The installed app would not find it; neither may the smoke test.
    const config = readBuilderConfig(CONFIG);
    config.files = [...(config.files as string[]), '!node_modules/@electric-sql/pglite/**'];
    const dir = freshDir('dev-dependency');
    fs.mkdirSync(path.join(dir, 'node_modules', '@electric-sql'), { recursive: true });
    fs.symlinkSync(
      path.join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite'),
      path.join(dir, 'node_modules', '@electric-sql', 'pglite'),
      'junction', // Windows: a folder link without admin rights; ignored elsewhere
    );
    const { app } = await preparePackage(dir, { config });
    await expect(runPackagedSession(app, freshDir('dev-dependency-work'))).rejects.toThrow(
      /import '@electric-sql\/pglite' from .* resolves outside the app/,
    );
  }, 120_000);
});

/** What ships: the built JavaScript, no TypeScript sources, no dev tools; native code unpacked. */
function checkContents(layout: PackageLayout): void {
  const files = new Set(layout.files);
  for (const f of [
    'package.json',
    'build/app/engine-host.js',
    'build/electron/main.mjs',
    'models/catalog.json',
  ]) {
    expect(files.has(f), `${f} in app.asar`).toBe(true);
  }
  const own = layout.files.filter((f) => !f.startsWith('node_modules/'));
  expect(
    own.filter((f) => /\.(ts|tsx)$/.test(f) || /^(core|electron\/(main|preload|engine-host))\//.test(f)),
  ).toEqual([]);
  const packages = new Set(layout.files.map((f) => /^node_modules\/((@[^/]+\/)?[^/]+)\//.exec(f)?.[1]));
  for (const dev of ['tsx', 'esbuild', 'typescript', 'vitest', 'electron', 'vite']) {
    expect(packages.has(dev), `devDependency ${dev} in the package`).toBe(false);
  }
  const unpacked = new Set(layout.unpacked);
  expect(layout.files.filter((f) => f.endsWith('.node') && !unpacked.has(f))).toEqual([]);
  // Electron starts package.json's "main", which only extraMetadata sets.
  const pkg = JSON.parse(extractFile(layout.archive, 'package.json').toString()) as { main?: string };
  expect(pkg.main && files.has(pkg.main), `package.json "main" (${pkg.main}) in app.asar`).toBe(true);
}
