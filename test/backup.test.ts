import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import {
  applyPendingRestore,
  createBackup,
  pruneBackups,
  readPendingRestore,
} from '../core/operations/backup/index.ts';
import { unpackBackup } from '../core/operations/backup/unpack.ts';
import type { BackupInfo } from '../core/contract/methods/backup.ts';
import type { ImportEvent } from '../core/contract/methods/imports.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { checkInvariants } from './support/invariants.ts';

// One data dir and engine for the file (a PGlite start per test would dominate its time).
let root: string;
let dataDir: string;
let engine: Engine;
let client: ApiClient;

function connect(e: Engine): ApiClient {
  const dispatcher = createDispatcher(e);
  return createApiClient((m, p, o) => dispatcher.call(m, p, o));
}

async function reopen(): Promise<void> {
  engine = await openEngine({ dataDir });
  client = connect(engine);
}

const docsDir = () => path.join(root, 'docs');

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-backup-'));
  dataDir = path.join(root, 'data');
  writeFile(docsDir(), 'visa/guide.md', VISA_GUIDE_MD);
  writeFile(
    docsDir(),
    'visa/tax.md',
    '# Tax\n\nThe NPWP is the Indonesian tax number; foreigners need one to file an SPT.\n',
  );
  await reopen();
  await client.call('import.run', {
    collection: 'Visa',
    create: true,
    paths: [path.join(docsDir(), 'visa')],
  });
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const archives = () => fs.readdirSync(engine.paths.backups).sort();

describe('backup create and verify', () => {
  it('takes a consistent snapshot while an import is writing', async () => {
    // A backup taken in the middle of an import (after its first batch of documents committed to
    // PG, while files are still being processed) holds a strict part of the import, and never a
    // document PG calls indexed without exactly its chunks in the SQLite copy.
    const N = 200;
    for (let i = 0; i < N; i++) {
      writeFile(
        docsDir(),
        `bulk/note-${i}.md`,
        `# Note ${i}\n\nPermit renewal note number ${i} about sponsor letters.\n`,
      );
    }
    const indexedInBulk = async (): Promise<number> =>
      (
        await engine.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM documents d JOIN collections c ON c.id = d.collection_id
           WHERE c.name = 'Bulk' AND d.status = 'indexed'`,
        )
      )[0]!.n;
    // Started from the import's first file event: waits for a committed batch, then backs up.
    const backupDuringImport = async () => {
      while ((await indexedInBulk()) === 0) await new Promise((r) => setTimeout(r, 5));
      return createBackup(engine, { kind: 'manual' });
    };
    let backing: Promise<BackupInfo> | undefined;
    const summary = await client.call(
      'import.run',
      { collection: 'Bulk', create: true, paths: [path.join(docsDir(), 'bulk')] },
      {
        onEvent: (e) => {
          if ((e as ImportEvent).type !== 'file') return;
          backing ??= backupDuringImport();
        },
      },
    );
    expect(summary).toMatchObject({ imported: N, failed: [] });
    expect(backing).toBeDefined();
    const backup = await backing!;
    expect(backup.status).toBe('ok');
    expect(fs.existsSync(backup.path)).toBe(true);
    expect(archives().filter((n) => n.includes('.partial') || n.startsWith('.'))).toEqual([]);

    const dest = path.join(root, 'unpacked');
    const unpacked = await unpackBackup(backup.path, dest, {
      integrity: { dataDir, action: 'verify' },
    });
    const pg = new PGlite(unpacked.pgDir);
    const docs = (
      await pg.query<{ id: number; status: string; chunk_count: number; collection: string }>(
        `SELECT d.id, d.status, d.chunk_count, c.name AS collection
         FROM documents d JOIN collections c ON c.id = d.collection_id ORDER BY d.id`,
      )
    ).rows.map((d) => ({ ...d, id: Number(d.id), chunk_count: Number(d.chunk_count) }));
    await pg.close();
    const sqlite = new Database(unpacked.sqliteFile, { readonly: true });
    const chunksPerDoc = new Map(
      (
        sqlite.prepare('SELECT document_id AS id, count(*) AS n FROM chunks GROUP BY document_id').all() as {
          id: number;
          n: number;
        }[]
      ).map((r) => [r.id, r.n]),
    );
    sqlite.close();

    // A strict part of the import: all its documents were planned (pending) before the backup,
    // some of them were indexed, not all.
    const bulk = docs.filter((d) => d.collection === 'Bulk');
    expect(bulk).toHaveLength(N);
    const bulkIndexed = bulk.filter((d) => d.status === 'indexed');
    expect(bulkIndexed.length).toBeGreaterThan(0);
    expect(bulkIndexed.length).toBeLessThan(N);
    expect(bulk.filter((d) => d.status !== 'indexed').every((d) => d.status === 'pending')).toBe(true);
    // Every document PG calls indexed has exactly its chunks in the SQLite copy: none missing.
    const indexed = docs.filter((d) => d.status === 'indexed');
    expect(indexed.map((d) => [d.id, chunksPerDoc.get(d.id) ?? 0])).toEqual(
      indexed.map((d) => [d.id, d.chunk_count]),
    );
    expect(indexed.every((d) => d.chunk_count > 0)).toBe(true);
    // The SQLite copy is taken after PG's, so it may hold chunks of this import's documents that
    // PG had not yet committed (by design: the start-up reconciler drops them, as after a crash).
    // Nothing else: no chunks of a document PG does not know.
    const unvouched = [...chunksPerDoc.keys()].filter((id) => !indexed.some((d) => d.id === id));
    const pendingBulk = new Set(bulk.filter((d) => d.status === 'pending').map((d) => d.id));
    expect(unvouched.filter((id) => !pendingBulk.has(id))).toEqual([]);

    // Opened as a data dir (what a restore does): the reconciler drops exactly those, flags no
    // indexed document as missing chunks, and the two stores agree with no orphan left.
    const restored = await openEngine({ dataDir: dest });
    try {
      expect(restored.reconcile.missingChunks).toEqual([]);
      expect([...restored.reconcile.orphanDocuments].sort((a, b) => a - b)).toEqual(
        unvouched.sort((a, b) => a - b),
      );
      expect(await checkInvariants(restored)).toEqual([]);
      const restoredBulk = (
        await restored.db.query<{ id: number }>("SELECT id FROM collections WHERE name = 'Bulk'")
      )[0]!;
      expect(restored.vectors.countChunks(Number(restoredBulk.id))).toBe(
        bulkIndexed.reduce((n, d) => n + d.chunk_count, 0),
      );
    } finally {
      await restored.close();
    }
    fs.rmSync(dest, { recursive: true, force: true });
  });

  it('verifies a backup and marks it verified; a flipped byte is detected', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    const res = await client.call('backup.verify', { backup: backup.id });
    expect(res.backup?.status).toBe('verified');
    expect(res.backup?.verifiedAt).not.toBeNull();
    expect(res.checks.every((c) => c.ok)).toBe(true);
    expect(res.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['archive checksum', 'postgres rows', 'sqlite chunks']),
    );
    expect(res.manifest.counts.collections.map((c) => c.name).sort()).toEqual(['Bulk', 'Visa']);

    // A copy with one byte flipped, given by path (no catalogue checksum to compare with).
    const copy = path.join(root, 'flipped.pustaka-backup');
    const bytes = fs.readFileSync(backup.path);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x40;
    fs.writeFileSync(copy, bytes);
    await expect(client.call('backup.verify', { backup: copy })).rejects.toMatchObject({
      code: 'storage_error',
    });

    // The catalogued archive itself damaged: caught by its SHA-256, and the row says so.
    fs.writeFileSync(backup.path, bytes);
    await expect(client.call('backup.verify', { backup: backup.id })).rejects.toThrow(
      /changed since it was written/,
    );
    const list = await client.call('backup.list', {});
    expect(list.backups.find((b) => b.id === backup.id)?.status).toBe('failed');
    // …and the damaged file is not catalogued again as a new, healthy backup.
    expect(list.backups.filter((b) => b.path === backup.path)).toHaveLength(1);
  });

  it('encrypts with a passphrase; a wrong or missing passphrase is refused clearly', async () => {
    const secret = 'correct horse battery staple';
    const b = await client.call('backup.create', { passphrase: secret });
    expect(b.encrypted).toBe(true);
    expect(fs.readFileSync(b.path).subarray(0, 8).toString()).toBe('PSTKBAK1');
    await expect(client.call('backup.verify', { backup: b.id })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/encrypted: give its passphrase/),
    });
    await expect(client.call('backup.verify', { backup: b.id, passphrase: 'wrong' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: 'wrong passphrase for this encrypted archive',
    });
    const ok = await client.call('backup.verify', { backup: b.id, passphrase: secret });
    expect(ok.backup?.status).toBe('verified');

    // Ciphertext changed: the passphrase is right, the GCM tag is not.
    const copy = path.join(root, 'tampered.pustaka-backup');
    const bytes = fs.readFileSync(b.path);
    bytes[bytes.length - 100]! ^= 1;
    fs.writeFileSync(copy, bytes);
    await expect(client.call('backup.verify', { backup: copy, passphrase: secret })).rejects.toThrow(
      /authentication tag does not match/,
    );
    // The passphrase is nowhere in what Pustaka keeps.
    const kept = JSON.stringify([
      await engine.db.query('SELECT * FROM backups'),
      await engine.db.query('SELECT * FROM audit_logs'),
    ]);
    expect(kept).not.toContain(secret);
  });

  it('leaves no partial file when cancelled, and records the failure', async () => {
    const ac = new AbortController();
    const before = archives();
    await expect(
      createBackup(
        engine,
        { kind: 'scheduled' },
        { signal: ac.signal, onProgress: (e) => e.phase === 'archive' && ac.abort() },
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(archives()).toEqual(before);
    const rows = await engine.db.query<{ status: string; error: string }>(
      "SELECT status, error FROM backups WHERE kind = 'scheduled' ORDER BY id DESC LIMIT 1",
    );
    expect(rows[0]).toEqual({ status: 'failed', error: 'cancelled' });
  });
});

describe('backup prune', () => {
  it('deletes what the policy does not keep, never the newest verified one; --dry-run deletes nothing', async () => {
    // The backups here are manual ones: an explicit prune with includeManual applies the policy to them.
    // Age the existing backups so they fall on different days.
    await engine.db.exec(
      `UPDATE backups SET created_at = now() - (id * interval '40 days') WHERE status IN ('ok', 'verified')`,
    );
    const fresh = await createBackup(engine, { kind: 'manual' });
    const live = (await client.call('backup.list', {})).backups.filter(
      (b) => b.status === 'ok' || b.status === 'verified',
    );
    const newestVerified = live
      .filter((b) => b.status === 'verified')
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;

    const policy = { daily: 1, weekly: 0, monthly: 0, includeManual: true };
    const dry = await client.call('backup.prune', { ...policy, dryRun: true });
    expect(dry.kept.map((k) => k.backup.id).sort()).toEqual([fresh.id, newestVerified.id].sort());
    expect(dry.deleted.length).toBe(live.length - 2);
    for (const b of live) expect(fs.existsSync(b.path)).toBe(true);

    const res = await client.call('backup.prune', policy);
    expect(res.deleted.map((b) => b.id).sort()).toEqual(dry.deleted.map((b) => b.id).sort());
    for (const b of res.deleted) expect(fs.existsSync(b.path)).toBe(false);
    expect(fs.existsSync(fresh.path)).toBe(true);
    expect(fs.existsSync(newestVerified.path)).toBe(true);
    const audit = await engine.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_logs WHERE action = 'backup.delete'",
    );
    expect(audit[0]!.n).toBe(res.deleted.length);
    // Through the nightly worker's entry point, the same policy finds nothing more to delete.
    expect(
      (await pruneBackups(engine, { daily: 1, weekly: 0, monthly: 0 }, { includeManual: true })).deleted,
    ).toEqual([]);
  });
});

describe('backup restore', () => {
  it('round-trips: counts, a search result and a document are identical after restore', async () => {
    const before = {
      collections: await client.call('collections.list', {}),
      search: await client.call('search', { query: 'KITAS sponsor company' }),
      doc: await client.call('documents.get', { id: 1 }),
      chunks: await client.call('documents.chunks', { id: 1 }),
    };
    const backup = await createBackup(engine, { kind: 'manual' });

    // Change the data after the backup: delete a collection, add one.
    await client.call('collections.delete', { collection: 'Bulk' });
    await client.call('collections.create', { name: 'After the backup' });

    const staged = await client.call('backup.restore', { backup: backup.id });
    expect(staged.safetyBackup?.kind).toBe('pre-restore');
    expect(readPendingRestore(dataDir)?.backupPath).toBe(backup.path);
    // The swap refuses while the engine holds the data dir.
    await expect(applyPendingRestore(dataDir)).rejects.toMatchObject({ code: 'data_dir_in_use' });

    await engine.close();
    const applied = await applyPendingRestore(dataDir);
    expect(applied?.previousDir).toMatch(/restore-previous-/);
    expect(fs.existsSync(path.join(applied!.previousDir, 'pg', 'PG_VERSION'))).toBe(true);
    await reopen();

    expect(await client.call('collections.list', {})).toEqual(before.collections);
    const after = await client.call('search', { query: 'KITAS sponsor company' });
    expect(after.items.map((i) => [i.chunkId, i.title])).toEqual(
      before.search.items.map((i) => [i.chunkId, i.title]),
    );
    expect(await client.call('documents.get', { id: 1 })).toEqual(before.doc);
    expect(await client.call('documents.chunks', { id: 1 })).toEqual(before.chunks);
    expect(readPendingRestore(dataDir)).toBeNull();
    const audit = await engine.db.query<{ details: { phase: string } }>(
      "SELECT details FROM audit_logs WHERE action = 'backup.restore' ORDER BY id",
    );
    expect(audit.map((a) => a.details.phase)).toContain('applied');
    // Backups taken after the restored snapshot (the pre-restore one) are still listed.
    const listed = (await client.call('backup.list', {})).backups.map((b) => b.path);
    expect(listed).toContain(staged.safetyBackup!.path);
  });

  it('keeps the current data when the restored copy fails to open', async () => {
    const backup = await createBackup(engine, { kind: 'manual' });
    await client.call('collections.create', { name: 'Kept' });
    const current = await client.call('collections.list', {});
    const staged = await client.call('backup.restore', { backup: backup.id, safetyBackup: false });
    expect(staged.safetyBackup).toBeNull();
    // The staged SQLite file is damaged between staging and the swap (a failing disk, say).
    fs.writeFileSync(path.join(staged.pending.stagingDir, 'collections.db'), Buffer.alloc(8192, 7));
    await engine.close();
    await expect(applyPendingRestore(dataDir)).rejects.toThrow(/your current data was kept as it was/);
    expect(fs.existsSync(staged.pending.stagingDir)).toBe(false);
    await reopen();
    expect(await client.call('collections.list', {})).toEqual(current);
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('restore-'))).toEqual(
      fs.readdirSync(dataDir).filter((n) => n.startsWith('restore-previous-')),
    );
  });

  it('refuses a backup made with a newer schema and leaves the data alone', async () => {
    await engine.db.query(
      "INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'from_the_future', 'x')",
    );
    let backupId: number;
    try {
      backupId = (await createBackup(engine, { kind: 'manual' })).id;
    } finally {
      await engine.db.query('DELETE FROM schema_migrations WHERE version = 999');
    }
    await expect(
      client.call('backup.restore', { backup: backupId, safetyBackup: false }),
    ).rejects.toMatchObject({
      code: 'schema_too_new',
    });
    expect(readPendingRestore(dataDir)).toBeNull();
    expect(fs.readdirSync(dataDir).filter((n) => n.startsWith('restore-staging-'))).toEqual([]);
  });
});
