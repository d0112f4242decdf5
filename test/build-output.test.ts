// The production build runs without any dev dependency: the app is built into a folder laid out
// like the app root (package.json, bin/, build/app/, migrations/, models/, node_modules/) and its
// `pustaka` command runs there under a module guard (test/support/prod-only/register.mjs) that
// fails every import or require() of tsx, esbuild, typescript or any other package that is not in
// package.json "dependencies", and of any TypeScript file. Import, search, the integrity check
// and a backup run the worker threads, the document parsers and tar from the bundle.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import ExcelJS from 'exceljs';
import type * as esbuild from 'esbuild';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_SOURCES } from '../core/base/app-files.ts';
import { buildApp, buildElectron, ROOT } from '../scripts/build-app.ts';
import { runNode, type CliRun } from './support/cli.ts';
import { VISA_GUIDE_MD } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

const GUARD = path.join(ROOT, 'test', 'support', 'prod-only', 'register.mjs');
const VERSION = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

let app: string;

/** An app root outside the repository: the build and bin/ copied in, the rest linked. */
function layOut(root: string): void {
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'build'));
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(root, 'package.json'));
  fs.copyFileSync(path.join(ROOT, 'bin', 'pustaka.js'), path.join(root, 'bin', 'pustaka.js'));
  for (const rel of ['migrations', 'models', 'node_modules', path.join('build', 'pg-template')])
    fs.symlinkSync(path.join(ROOT, rel), path.join(root, rel), 'junction');
}

beforeAll(async () => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-built-'));
  layOut(app);
  await buildApp({ outDir: path.join(app, 'build', 'app') });
});

afterAll(() => fs.rmSync(app, { recursive: true, force: true }));

/** `pustaka …` of the built app, under the guard, from a neutral working folder. */
function runBuilt(args: string[], root = app): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, PUSTAKA_GUARD_ROOT: root };
  delete env.NODE_OPTIONS;
  return runNode(['--import', GUARD, path.join(root, 'bin', 'pustaka.js'), ...args], {
    cwd: os.tmpdir(),
    env,
  });
}

async function json<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const run = await runBuilt([...args, '--json']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

async function writeDocuments(dir: string): Promise<void> {
  fs.writeFileSync(path.join(dir, 'visa.md'), VISA_GUIDE_MD);
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  pdf.addPage().drawText('Tax treaty withholding rates for dividends', { x: 50, y: 700, size: 12, font });
  fs.writeFileSync(path.join(dir, 'tax.pdf'), await pdf.save());
  const memo = new Document({ sections: [{ children: [new Paragraph('Memo on the RPTKA manpower plan')] }] });
  fs.writeFileSync(path.join(dir, 'memo.docx'), await Packer.toBuffer(memo));
  const wb = new ExcelJS.Workbook();
  wb.addWorksheet('Clients').addRows([
    ['Name', 'City'],
    ['Ibu Sari', 'Bandung'],
  ]);
  fs.writeFileSync(path.join(dir, 'clients.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
  // E-mail (mailparser, bundled): an ISO-8859-1 message with an RFC 2047 subject and a PDF attached.
  const schedule = await PDFDocument.create();
  schedule.addPage().drawText('Interview schedule at the immigration office', {
    x: 50,
    y: 700,
    size: 12,
    font: await schedule.embedFont(StandardFonts.Helvetica),
  });
  const message = [
    'From: Sari Dewi <sari@konsultan-visa.co.id>',
    'To: =?iso-8859-1?q?Ren=E9_M=FCller?= <rene@example.com>',
    'Subject: =?iso-8859-1?q?Jadwal_wawancara_untuk_Bapak_Ren=E9?=',
    'Date: Mon, 10 Mar 2025 09:00:00 +0700',
    'Message-ID: <wawancara-1@konsultan-visa.co.id>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset="iso-8859-1"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Wawancara imigrasi untuk Bapak Ren=E9 M=FCller pada hari Senin.',
    '--b1',
    'Content-Type: application/pdf',
    'Content-Disposition: attachment; filename="jadwal.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from(await schedule.save())
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n'),
    '--b1--',
    '',
  ].join('\r\n');
  fs.writeFileSync(path.join(dir, 'jadwal.eml'), message);
}

describe('the production build', () => {
  it('is flat JavaScript, one file per entry, that imports no TypeScript and never names tsx', () => {
    const out = path.join(app, 'build', 'app');
    const files = fs.readdirSync(out, { withFileTypes: true });
    expect(files.filter((f) => !f.isFile()).map((f) => f.name)).toEqual([]);
    for (const name of Object.keys(ENTRY_SOURCES))
      expect(fs.existsSync(path.join(out, `${name}.js`)), name).toBe(true);
    for (const f of files.filter((f) => f.name.endsWith('.js'))) {
      const code = fs.readFileSync(path.join(out, f.name), 'utf8');
      expect(code, f.name).not.toMatch(/(\bfrom|\bimport|\brequire)\s*\(?\s*["'][^"'\n]+\.[cm]?tsx?["']/);
      expect(code, f.name).not.toMatch(/["'](tsx|esbuild|typescript)(\/[^"'\n]*)?["']/);
    }
  });

  it('has source maps that name the sources without carrying them', () => {
    const maps = sourceMaps(path.join(app, 'build', 'app'));
    expect(maps.map((m) => m.file)).toContain('cli.js.map');
    for (const { file, map } of maps) expect(map.sourcesContent, file).toBeUndefined();
    // Relative to the map: stack traces name the TypeScript file and line.
    const cli = maps.find((m) => m.file === 'cli.js.map')!.map;
    expect(cli.sources.map((s) => path.resolve(app, 'build', 'app', s))).toContain(
      path.join(ROOT, 'core', 'cli', 'main.ts'),
    );
  });

  it('answers --help and --version', async () => {
    const help = await runBuilt(['--help']);
    expect(help.stderr).toBe('');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: pustaka');
    const version = await runBuilt(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
  });

  it('opens a fresh data folder, imports, searches, checks the index in its worker and backs up', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const docs = tempDir();
    await writeDocuments(docs);
    const at = ['--data-dir', dataDir];

    const status = await json<{ schema: { pg: number }; counts: Record<string, number> }>([...at, 'status']);
    expect(status.schema.pg).toBeGreaterThanOrEqual(1);
    expect(Object.values(status.counts).every((n) => n === 0)).toBe(true);

    await json([...at, 'collections', 'create', 'Docs']);
    const imported = await json<{ imported: number; failed: unknown[] }>([
      ...at,
      'import',
      docs,
      '-c',
      'Docs',
    ]);
    expect(imported.failed).toEqual([]);
    expect(imported.imported).toBe(6); // four files, the message and its attachment
    for (const [query, file] of [
      ['KITAS sponsor', 'visa.md'],
      ['withholding dividends', 'tax.pdf'],
      ['RPTKA manpower', 'memo.docx'],
      ['Bandung', 'clients.xlsx'],
      ['wawancara imigrasi René Müller', 'jadwal.eml'],
      ['interview schedule immigration', 'jadwal.eml#attachment/1-jadwal.pdf'],
    ]) {
      const found = await json<{ items: { sourcePath: string }[] }>([...at, 'search', query!]);
      expect(found.items[0]?.sourcePath, query).toBe(path.join(docs, file!));
    }

    const run = await json<{ steps: { maintenance: { status: string; error?: string } } }>([
      ...at,
      ...['worker', 'run', '--steps', 'maintenance', '--no-backup'],
    ]);
    expect(run.steps.maintenance).toMatchObject({ status: 'done' });
    const backup = await json<{ status: string }>([...at, 'backup', 'create']);
    expect(backup.status).toBe('ok');
  }, 180_000); // thirteen cold CLI starts, one of them an import that reads a PDF attachment

  it('bin/pustaka.js says how to build when build/app is missing', async () => {
    const bare = tempDir();
    layOut(bare);
    const run = await runBuilt(['--help'], bare);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('pustaka: not built — run `npm run build:app`\n');
  });

  it('bundles the Electron main process and a self-contained preload', async () => {
    const out = tempDir();
    const built = await buildElectron({ outDir: out });
    expect(built.files.map((f) => f.file).sort()).toEqual([
      'main.mjs',
      'main.mjs.map',
      'preload.cjs',
      'preload.cjs.map',
    ]);
    for (const { file, map } of sourceMaps(out)) expect(map.sourcesContent, file).toBeUndefined();
    const preload = fs.readFileSync(path.join(out, 'preload.cjs'), 'utf8');
    const required = new Set([...preload.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    expect([...required]).toEqual(['electron']);
  });
});

/** The source maps in `dir` (a build folder), parsed. */
function sourceMaps(dir: string): { file: string; map: { sources: string[]; sourcesContent?: unknown } }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.map'))
    .map((file) => ({ file, map: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) }));
}

/** A source edit without editing the file: esbuild reads `file` with a statement appended. */
function edited(file: RegExp, statement: string): esbuild.Plugin {
  return {
    name: 'test-edit',
    setup(build) {
      build.onLoad({ filter: file }, (args) => ({
        loader: 'ts',
        contents: `${fs.readFileSync(args.path, 'utf8')}\n${statement}\n`,
      }));
    },
  };
}

/** A process that imports each file named on a line of its stdin, and says how that went. */
function lazyImporter() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_OPTIONS;
  const script = `
    import { createInterface } from 'node:readline';
    import { pathToFileURL } from 'node:url';
    console.log('ready');
    for await (const file of createInterface({ input: process.stdin })) {
      try {
        await import(pathToFileURL(file).href);
        console.log('ok ' + file);
      } catch (err) {
        console.log('failed ' + file + ': ' + err.message);
      }
    }`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  return {
    ready: new Promise<void>((resolve) => child.stdout.once('data', () => resolve())),
    /** Imports these files one after the other; the lines it printed. */
    async importAll(files: string[]): Promise<string[]> {
      child.stdin.end(files.map((f) => `${f}\n`).join(''));
      await once(child, 'close');
      return stdout.trim().split('\n').slice(1);
    },
  };
}

/** Name → modification time of every file in `dir`. */
function mtimes(dir: string): Record<string, number> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.statSync(path.join(dir, f)).mtimeMs]));
}

describe('rebuilding the app', () => {
  it('keeps the chunks a process of the earlier build still loads lazily', async () => {
    const root = tempDir();
    layOut(root);
    const out = path.join(root, 'build', 'app');
    const first = await buildApp({ outDir: out });
    const running = lazyImporter();
    await running.ready;

    // The PDF extractor, a lazily loaded chunk, changes: its chunk and those naming it get new hashes.
    const edit = edited(/[\\/]extractors[\\/]pdf\.ts$/, 'globalThis.__pustakaBuildTest = 2;');
    const second = await buildApp({ outDir: out, plugins: [edit] });
    const now = new Set(second.files.map((f) => f.file));
    const superseded = first.files.map((f) => f.file).filter((f) => !now.has(f));
    const oldChunks = superseded.filter((f) => f.endsWith('.js'));
    expect(oldChunks.some((f) => f.startsWith('pdf-'))).toBe(true);

    const lines = await running.importAll(oldChunks.map((f) => path.join(out, f)));
    expect(lines).toEqual(oldChunks.map((f) => `ok ${path.join(out, f)}`));

    // A rebuild of the same sources touches nothing, the record of superseded files included.
    const before = mtimes(out);
    const again = await buildApp({ outDir: out, plugins: [edit] });
    expect(again.written).toBe(0);
    expect(mtimes(out)).toEqual(before);

    // Once they have been superseded long enough, they go.
    await buildApp({ outDir: out, plugins: [edit], keepSupersededMs: 0 });
    expect(fs.readdirSync(out).sort()).toEqual([...now].sort());
  });
});
