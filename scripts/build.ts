// `npm run build`: everything the app runs from, JavaScript only (no tsx at run time):
//   build/app/       engine, CLI, worker threads, model hosts (scripts/build-app.ts)
//   build/electron/  main.mjs, preload.cjs
//   build/renderer/  the UI (vite)
//   build/pg-template/  the migrated PGlite cluster new data folders are copied from
// `npm run build:app` (also run by postinstall) builds only the first two, in seconds.
// `build:app` keeps the files of earlier builds for a day (a process started from one may still
// load them: scripts/build-app.ts `retire`); `npm run build` (and --prune) removes them.
// Usage: npx tsx scripts/build.ts [--app] [--prune] [--out DIR]   (--out: build/app elsewhere)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { buildApp, buildElectron, ROOT, type BuildResult } from './build-app.ts';

const args = process.argv.slice(2);
const appOnly = args.includes('--app');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1] : undefined;
if (outAt >= 0 && !outDir) throw new Error('usage: scripts/build.ts [--app] [--prune] [--out DIR]');
// The full build is what installers are made from: it never carries an earlier build's files.
const keep = args.includes('--prune') || !appOnly ? { keepSupersededMs: 0 } : {};

function report(label: string, r: BuildResult): void {
  const js = r.files.filter((f) => !f.file.endsWith('.map'));
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
  const total = js.reduce((s, f) => s + f.bytes, 0);
  const maps = r.files.reduce((s, f) => s + f.bytes, 0) - total;
  console.log(
    `${label}: ${js.length} files, ${kb(total)} (+ ${kb(maps)} source maps) in ${Math.round(r.ms)} ms, ${r.written} rewritten`,
  );
  if (r.superseded.files > 0)
    console.log(
      `  + ${r.superseded.files} files of earlier builds, ${kb(r.superseded.bytes)} (kept a day; --prune removes them)`,
    );
  for (const f of [...js].sort((a, b) => b.bytes - a.bytes).slice(0, 8))
    console.log(`  ${f.file.padEnd(28)} ${kb(f.bytes)}`);
}

function run(what: string, cmd: string, cmdArgs: string[]): void {
  const started = performance.now();
  const res = spawnSync(cmd, cmdArgs, { cwd: ROOT, stdio: 'inherit' });
  if (res.status !== 0)
    throw new Error(`${what} failed (${res.error?.message ?? `exit code ${res.status}`})`);
  console.log(`${what}: ${Math.round(performance.now() - started)} ms`);
}

const [app, shell] = await Promise.all([
  buildApp({ ...keep, ...(outDir ? { outDir } : {}) }),
  outDir ? null : buildElectron(keep),
]);
report(path.relative(ROOT, app.outDir) || app.outDir, app);
if (shell) report('build/electron', shell);
if (!appOnly && !outDir) {
  run('build/renderer', process.execPath, [
    path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    'renderer/vite.config.ts',
  ]);
  run('build/pg-template', process.execPath, ['--import', 'tsx', 'core/stores/pg/build-template.ts']);
}
