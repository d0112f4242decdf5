// kill -9 during the restore swap (`applyPendingRestore`, run by `openEngine` before anything
// opens): whatever the moment, the next open must show either the complete data that was there
// before, or the complete restored backup — never a mix of the two stores, never a lost store.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { createBackup, readPendingRestore } from '../core/operations/backup/index.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { FAULT_SEED } from './faults/run-driver.ts';
import { runPustaka } from './support/cli.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { checkInvariants } from './support/invariants.ts';
import { rng } from './support/prng.ts';

const CHILD = fileURLToPath(new URL('./support/restore-swap-child.ts', import.meta.url));

interface Signature {
  collections: { name: string; documentCount: number; chunkCount: number }[];
  /** Chunks per collection name, counted in collections.db itself. */
  sqliteChunks: Record<string, number>;
  /** Titles found by a keyword only the old data has, and one only the backup has. */
  npwp: (string | null)[];
  golongan: (string | null)[];
}

let root: string;
/** A closed data dir with a restore staged: every round starts from a copy of it. */
let staged: string;
/** A closed data dir with a backup archive and nothing staged (for the CLI test). */
let unstaged: string;
let archive: string;
let OLD: Signature;
let RESTORED: Signature;

function connect(e: Engine): ApiClient {
  const dispatcher = createDispatcher(e);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

async function signature(engine: Engine): Promise<Signature> {
  const client = connect(engine);
  const collections = (await client.call('collections.list', {}))
    .map((c) => ({ name: c.name, documentCount: c.documentCount, chunkCount: c.chunkCount }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const sqliteChunks: Record<string, number> = {};
  const rows = await engine.db.query<{ id: number; name: string }>('SELECT id, name FROM collections');
  for (const r of rows) sqliteChunks[r.name] = engine.vectors.countChunks(Number(r.id));
  const titles = async (query: string) =>
    [...new Set((await client.call('search', { query, mode: 'keyword' })).items.map((i) => i.title))].sort();
  return { collections, sqliteChunks, npwp: await titles('NPWP'), golongan: await titles('golongan') };
}

/** Copies the staged data dir; the pending marker names its staging folder by absolute path. */
function copyStaged(name: string): string {
  const dir = path.join(root, name);
  fs.cpSync(staged, dir, { recursive: true });
  const pending = readPendingRestore(staged)!;
  const moved = { ...pending, stagingDir: path.join(dir, path.basename(pending.stagingDir)) };
  fs.writeFileSync(path.join(dir, 'restore-pending.json'), `${JSON.stringify(moved, null, 2)}\n`);
  return dir;
}

/** Runs the child; kills it `killAfterMs` after it printed `start` when given. */
function runChild(
  dataDir: string,
  point: string,
  killAfterMs: number | null = null,
): Promise<{ killed: boolean; opened: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, point], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let opened: unknown;
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (killAfterMs !== null && out.startsWith('start\n') && !child.killed)
        setTimeout(() => child.kill('SIGKILL'), killAfterMs);
      const m = /^opened (.*)$/m.exec(out);
      if (m) opened = JSON.parse(m[1]!);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, opened });
      else if (code === 0) resolve({ killed: false, opened });
      else reject(new Error(`restore child (${point}) failed (${code ?? signal}): ${err}`));
    });
  });
}

/** Opens a data dir after a kill and checks that it holds one whole side, consistently. */
async function assertWhole(dir: string): Promise<'old' | 'restored'> {
  let engine: Engine;
  try {
    engine = await openEngine({ dataDir: dir });
  } catch (err) {
    throw new Error(
      `the next open failed: ${(err as Error).message}\n  data dir: ${fs.readdirSync(dir).sort().join(', ')}`,
    );
  }
  try {
    const sig = await signature(engine);
    expect(engine.reconcile).toEqual({
      droppedCollections: [],
      orphanDocuments: [],
      missingChunks: [],
      titlesAdded: 0,
    });
    expect(engine.repair.requeuedDocuments).toBe(0);
    expect(await checkInvariants(engine)).toEqual([]);
    expect([OLD, RESTORED]).toContainEqual(sig);
    expect(readPendingRestore(dir)).toBeNull();
    // A kill right after the marker went may leave the emptied staging folder, never a store in it.
    for (const staging of fs.readdirSync(dir).filter((n) => n.startsWith('restore-staging-')))
      expect(
        fs.readdirSync(path.join(dir, staging)).filter((f) => f === 'pg' || f.startsWith('collections.db')),
      ).toEqual([]);
    const side = sig.npwp.length > 0 ? 'old' : 'restored';
    if (side === 'restored') {
      // The replaced data is kept, not lost: its cluster and its collections.db lie aside.
      const aside = fs.readdirSync(dir).filter((n) => n.startsWith('restore-previous-'));
      const has = (f: string) => aside.some((a) => fs.existsSync(path.join(dir, a, f)));
      expect(has(path.join('pg', 'PG_VERSION'))).toBe(true);
      expect(has('collections.db')).toBe(true);
    }
    return side;
  } finally {
    await engine.close();
  }
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-restore-crash-'));
  const docs = path.join(root, 'docs');
  writeFile(docs, 'visa/guide.md', VISA_GUIDE_MD);
  writeFile(docs, 'rules/golongan.md', '# Golongan\n\nThe golongan table ranks civil servants by grade.\n');
  writeFile(docs, 'tax/npwp.md', '# Tax\n\nThe NPWP is the Indonesian tax number; foreigners need one.\n');
  staged = path.join(root, 'staged');
  const engine = await openEngine({ dataDir: staged });
  try {
    const client = connect(engine);
    for (const [name, folder] of [
      ['Visa', 'visa'],
      ['Rules', 'rules'],
    ] as const)
      await client.call('import.run', { collection: name, create: true, paths: [path.join(docs, folder)] });
    RESTORED = await signature(engine);
    const backup = await createBackup(engine, { kind: 'manual' });
    archive = backup.path;
    // After the backup: one collection gone, another added. A mix of the stores would show.
    await client.call('collections.delete', { collection: 'Rules' });
    await client.call('import.run', { collection: 'Tax', create: true, paths: [path.join(docs, 'tax')] });
    OLD = await signature(engine);
    await engine.close();
    unstaged = path.join(root, 'unstaged');
    fs.cpSync(staged, unstaged, { recursive: true });
    const again = await openEngine({ dataDir: staged });
    try {
      await connect(again).call('backup.restore', { backup: backup.id, safetyBackup: false });
    } finally {
      await again.close();
    }
  } catch (err) {
    await engine.close();
    throw err;
  }
  expect(RESTORED.golongan).not.toEqual([]);
  expect(OLD.npwp).not.toEqual([]);
  expect(RESTORED.npwp).toEqual([]);
  expect(OLD.golongan).toEqual([]);
}, 120_000);

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('kill -9 during the restore swap', () => {
  // The swap's renames, in order: its marker (written to a temporary file, renamed), pg → aside,
  // collections.db → aside, staged pg → in, staged collections.db → in; then it opens the
  // restored stores and drops restore-pending.json and the staging folder.
  const points = [
    'rename:1:before',
    'rename:2:after',
    'rename:3:after',
    'rename:4:after',
    'rename:5:after',
    'drop:after',
  ];
  it.each(points)('killed at %s: the next open finishes the restore, whole', async (point) => {
    const dir = copyStaged(point.replace(/:/g, '-'));
    const run = await runChild(dir, point);
    expect(run.killed).toBe(true);
    expect(await assertWhole(dir)).toBe('restored');
  });

  it('killed at seeded random moments after start', async () => {
    const random = rng(FAULT_SEED ^ 0x5e57);
    for (let round = 0; round < 1; round++) {
      const dir = copyStaged(`random-${round}`);
      const delay = Math.floor(random() * 2_500);
      const run = await runChild(dir, 'none', delay);
      const side = await assertWhole(dir);
      console.log(
        `restore kill round ${round} (seed ${FAULT_SEED}): +${delay} ms, killed ${run.killed}, ${side}`,
      );
      if (!run.killed) expect(run.opened).toEqual({ collections: ['Rules', 'Visa'] });
    }
  });
});

describe('backup restore through the real CLI', () => {
  it('`backup restore --yes`, then a restart shows the restored data', async () => {
    const dir = unstaged;
    const copied = path.join(dir, 'backups', path.basename(archive));
    const res = await runPustaka([
      '--data-dir',
      dir,
      'backup',
      'restore',
      copied,
      '--yes',
      '--no-safety-backup',
    ]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Restored the backup of .*2 collections/);
    const listed = await runPustaka(['--data-dir', dir, 'collections', 'list', '--json']);
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { name: string }[]).map((c) => c.name).sort();
    expect(names).toEqual(['Rules', 'Visa']);
    expect(await assertWhole(dir)).toBe('restored');
  });
});
