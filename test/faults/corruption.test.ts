import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../core/startup/open-engine.ts';
import { runPustaka } from '../support/cli.ts';
import { engineClient } from '../support/engine.ts';
import { addGoldenAnswer, checkInvariants, chunksByFile } from '../support/invariants.ts';
import { writeCorpus } from '../support/fault-corpus.ts';

const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pustaka-corrupt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const base = path.join(root, 'base');
const BACKUP_NAME = 'pustaka-2026-11-01T02-00-00Z.pustaka-backup';
let copies = 0;
let chunksBefore: Record<string, string[]>;
let documentsRelation: string;

function copyOfBase(withBackup = true): string {
  const dir = path.join(root, `copy-${++copies}`);
  fs.cpSync(base, dir, { recursive: true });
  if (withBackup) fs.writeFileSync(path.join(dir, 'backups', BACKUP_NAME), 'archive bytes');
  return dir;
}

async function openError(
  dataDir: string,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    const engine = await openEngine({ dataDir });
    await engine.close();
  } catch (err) {
    return err as { code: string; message: string; details: Record<string, unknown> };
  }
  throw new Error('the engine opened a damaged data dir');
}

beforeAll(async () => {
  const folder = path.join(root, 'corpus');
  writeCorpus(folder, 10, 800);
  const engine = await openEngine({ dataDir: base });
  await engineClient(engine).call('import.run', { collection: 'Docs', create: true, paths: [folder] });
  await addGoldenAnswer(engine, 'What is a KITAS?');
  engine.vectors.checkpoint();
  chunksBefore = await chunksByFile(engine);
  const [rel] = await engine.db.query<{ p: string }>("SELECT pg_relation_filepath('documents') AS p");
  documentsRelation = rel!.p;
  await engine.close();
});

describe('a damaged collections.db at start (derived data)', () => {
  for (const [name, damage] of [
    ['garbage', (file: string) => fs.writeFileSync(file, Buffer.alloc(fs.statSync(file).size, 0xa5))],
    ['truncated to a third', (file: string) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3))],
  ] as const) {
    it(`${name}: is moved aside (kept), and every document is rebuilt from its source file`, async () => {
      const dataDir = copyOfBase();
      const dbFile = path.join(dataDir, 'collections.db');
      damage(dbFile);
      const damaged = fs.readFileSync(dbFile);

      const engine = await openEngine({ dataDir });
      expect(engine.repair.collectionsDbSetAside).toMatch(/collections\.db\.damaged-/);
      expect(fs.readFileSync(engine.repair.collectionsDbSetAside!)).toEqual(damaged);
      expect(engine.repair.requeuedDocuments).toBe(Object.keys(chunksBefore).length);
      expect(engine.interruptedJobs).toEqual(engine.repair.rebuildJobs);
      const [job] = await engine.db.query<{ error: string }>('SELECT error FROM import_jobs WHERE id = $1', [
        engine.repair.rebuildJobs[0],
      ]);
      expect(job!.error).toContain('collections.db was damaged and moved to');
      // Nothing is served from a half store meanwhile, and Postgres lost nothing.
      expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);

      const { imports } = await engineClient(engine).call('import.resume', {});
      expect(imports).toHaveLength(1);
      expect(imports[0]).toMatchObject({ status: 'done', failed: [] });
      expect(await chunksByFile(engine)).toEqual(chunksBefore);
      expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
      const hits = await engineClient(engine).call('search', { query: 'kitas sponsor' });
      expect(hits.items.length).toBeGreaterThan(0);
      await engine.close();
    });
  }

  it('an emptied or deleted collections.db is rebuilt the same way (missing chunks are re-queued)', async () => {
    const dataDir = copyOfBase(false);
    fs.rmSync(path.join(dataDir, 'collections.db'));
    fs.writeFileSync(path.join(dataDir, 'collections.db'), '');
    const engine = await openEngine({ dataDir });
    expect(engine.repair).toMatchObject({
      collectionsDbSetAside: null,
      requeuedDocuments: Object.keys(chunksBefore).length,
    });
    await engineClient(engine).call('import.resume', {});
    expect(await chunksByFile(engine)).toEqual(chunksBefore);
    expect(await checkInvariants(engine, { goldenAnswers: 1 })).toEqual([]);
    await engine.close();
  });
});

describe('a damaged Postgres cluster at start (the source of truth)', () => {
  it('garbage pg_control: refuses to start, names the store and the latest backup, changes nothing', async () => {
    const dataDir = copyOfBase();
    fs.writeFileSync(path.join(dataDir, 'pg', 'global', 'pg_control'), Buffer.alloc(8192, 0x5a));
    const sqliteBefore = fs.readFileSync(path.join(dataDir, 'collections.db'));
    const err = await openError(dataDir);
    expect(err.code).toBe('data_dir_unusable');
    expect(err.message).toContain(`Postgres database in ${path.join(dataDir, 'pg')} is damaged`);
    expect(err.message).toContain(path.join(dataDir, 'backups', BACKUP_NAME));
    expect(err.details).toMatchObject({
      store: 'pg',
      latestBackup: path.join(dataDir, 'backups', BACKUP_NAME),
    });
    expect(fs.readFileSync(path.join(dataDir, 'collections.db'))).toEqual(sqliteBefore);
    expect(fs.existsSync(path.join(dataDir, 'pustaka.lock'))).toBe(false);

    // The CLI says it on one line, with exit code 1 and no stack trace.
    const cli = await runPustaka(['--data-dir', dataDir, 'status']);
    expect(cli.code).toBe(1);
    expect(cli.stderr.trim().split('\n')).toHaveLength(1);
    expect(cli.stderr).toMatch(
      /^pustaka: the Postgres database in .* is damaged .*Restore the latest backup/,
    );
    const json = await runPustaka(['--data-dir', dataDir, '--json', 'status']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'data_dir_unusable' } });
  });

  it('a garbage page in the documents table: refuses to start rather than serve or drop anything', async () => {
    const dataDir = copyOfBase();
    const file = path.join(dataDir, 'pg', documentsRelation);
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0x3c), 0, 8192, 0);
    fs.closeSync(fd);
    const sqliteBefore = fs.readFileSync(path.join(dataDir, 'collections.db'));
    const err = await openError(dataDir);
    expect(err.code).toBe('data_dir_unusable');
    expect(err.message).toMatch(/is damaged \(.*invalid page/);
    expect(err.details.latestBackup).toBe(path.join(dataDir, 'backups', BACKUP_NAME));
    expect(fs.readFileSync(path.join(dataDir, 'collections.db'))).toEqual(sqliteBefore);
  });

  it('a missing or incomplete cluster in a used data folder is never replaced by an empty one', async () => {
    const missing = copyOfBase(false);
    fs.rmSync(path.join(missing, 'pg'), { recursive: true });
    const err = await openError(missing);
    expect(err).toMatchObject({ code: 'data_dir_unusable', details: { store: 'pg', latestBackup: null } });
    expect(err.message).toContain('is missing, although this data folder was used before');
    expect(fs.existsSync(path.join(missing, 'pg'))).toBe(false);

    const incomplete = copyOfBase();
    fs.rmSync(path.join(incomplete, 'pg', 'global', 'pg_control'));
    const err2 = await openError(incomplete);
    expect(err2.message).toContain('is incomplete');
    expect(fs.existsSync(path.join(incomplete, 'pg', 'PG_VERSION'))).toBe(true); // not deleted
  });
});
