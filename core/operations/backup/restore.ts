import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  pendingRestoreSchema,
  type backupRestoreContract,
  type PendingRestore,
} from '../../contract/methods/backup.ts';
import { isCompleteCluster } from '../../stores/pg/cluster.ts';
import { openDb } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { fsyncDir, fsyncFile } from '../../base/fsync.ts';
import { acquireDataDirLock } from '../../base/data-dir-lock/data-dir-lock.ts';
import { dataPaths } from '../../base/paths.ts';
import { makePrivate } from '../../base/private-files.ts';
import { openVectorStore } from '../../stores/vectors/store.ts';
import { writeAudit } from './audit.ts';
import { resolveBackup } from './catalog.ts';
import { createBackupNow, type BackupRunOptions } from './create.ts';
import { serialized } from './serial.ts';
import { unpackBackup } from './unpack.ts';

/**
 * Restore runs in two steps, because the stores cannot be swapped under an engine that has them
 * open (other modules hold the handles, and PGlite has no way to reopen in place):
 *
 * 1. `prepareRestore` (the `backup.restore` API call, safe while the app is in use): unpack the
 *    archive into `<data>/restore-staging-*`, check its checksums, open both stores there (which
 *    runs migrations forward for a backup from an older Pustaka; a newer one is refused), take a
 *    `pre-restore` backup of the current data, and leave `<data>/restore-pending.json`.
 * 2. `applyPendingRestore` (with the data folder closed: the CLI right after the call, the app
 *    before it reopens the engine): under the data-dir lock, move the current `pg/` and
 *    `collections.db` aside to `<data>/restore-previous-*`, rename the staged ones in, and open
 *    them. If that fails, the restored copy is removed and the previous data put back.
 */
export type PrepareRestoreResult = z.output<(typeof backupRestoreContract)['result']>;

export const PENDING_FILE = 'restore-pending.json';

export function pendingRestoreFile(dataDir: string): string {
  return path.join(dataDir, PENDING_FILE);
}

export function readPendingRestore(dataDir: string): PendingRestore | null {
  const file = pendingRestoreFile(dataDir);
  if (!fs.existsSync(file)) return null;
  try {
    return pendingRestoreSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

function stamp(at = new Date()): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export function prepareRestore(
  engine: Engine,
  ref: number | string,
  opts: {
    passphrase?: string | undefined;
    safetyBackup: boolean;
    /** Accept a plain archive signed by another installation (see signature.ts). */
    trustForeign?: boolean | undefined;
  } & BackupRunOptions,
): Promise<PrepareRestoreResult> {
  return serialized(engine, async () => {
    const started = performance.now();
    const progress = (phase: 'extract' | 'check' | 'safety-backup') =>
      opts.onProgress?.({
        type: 'progress',
        phase,
        bytesDone: 0,
        bytesTotal: 0,
        elapsedMs: performance.now() - started,
      });
    const { file } = await resolveBackup(engine, ref);
    const root = engine.paths.root;
    const previous = readPendingRestore(root);
    const staging = path.join(root, `restore-staging-${stamp()}-${process.pid}`);
    try {
      const unpacked = await unpackBackup(file, staging, {
        passphrase: opts.passphrase,
        signal: opts.signal,
        onPhase: progress,
        integrity: { dataDir: root, trustForeign: opts.trustForeign, action: 'restore' },
      });
      makePrivate(staging); // opening the staged cluster wrote pg_internal.init 0644
      for (const f of ['manifest.json', 'manifest.sig']) fs.rmSync(path.join(staging, f), { force: true });
      let safety = null;
      if (opts.safetyBackup) {
        progress('safety-backup');
        safety = await createBackupNow(engine, { kind: 'pre-restore', passphrase: opts.passphrase }, opts);
      }
      const pending: PendingRestore = {
        backupPath: file,
        stagedAt: new Date().toISOString(),
        stagingDir: staging,
        safetyBackupPath: safety?.path ?? null,
      };
      writeFileDurably(pendingRestoreFile(root), `${JSON.stringify(pending, null, 2)}\n`);
      // A newer choice replaces a restore staged earlier and not yet applied.
      if (previous && previous.stagingDir !== staging)
        fs.rmSync(previous.stagingDir, { recursive: true, force: true });
      await writeAudit(
        engine.db,
        'backup.restore',
        { type: 'backup', id: path.basename(file) },
        {
          phase: 'staged',
          backupCreatedAt: unpacked.manifest.createdAt,
          appVersion: unpacked.manifest.app.version,
          safetyBackup: safety ? path.basename(safety.path) : null,
          integrity: unpacked.integrity.status,
        },
      );
      return {
        pending,
        manifest: unpacked.manifest,
        migratedFrom: unpacked.migratedFrom,
        safetyBackup: safety,
        integrity: unpacked.integrity,
        restartRequired: true as const,
      };
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
  });
}

export interface AppliedRestore {
  backupPath: string;
  /** Where the data that was replaced now lies (delete it once satisfied). */
  previousDir: string;
  safetyBackupPath: string | null;
}

/**
 * Swaps a staged restore in. Call with no engine open on `dataDir` (it takes the data-dir lock
 * itself, so a running app makes it fail with `data_dir_in_use` and nothing changes). Returns
 * null when no restore is pending.
 */
export async function applyPendingRestore(dataDir: string): Promise<AppliedRestore | null> {
  const pending = readPendingRestore(dataDir);
  if (!pending) {
    fs.rmSync(pendingRestoreFile(dataDir), { force: true }); // unreadable marker: nothing to apply
    return null;
  }
  const paths = dataPaths(dataDir);
  const lock = await acquireDataDirLock(paths.root, paths.lock);
  const dropPending = () => {
    fs.rmSync(pendingRestoreFile(dataDir), { force: true });
    fs.rmSync(pending.stagingDir, { recursive: true, force: true });
  };
  try {
    const stagedPg = path.join(pending.stagingDir, 'pg');
    const stagedDb = path.join(pending.stagingDir, 'collections.db');
    // The swap records where it moves the current data before its first rename, so a swap cut
    // short (kill -9, power loss) is finished by the next start instead of being taken for a
    // damaged staging folder: each staged store still in the staging folder is yet to be moved in.
    const swapMarker = path.join(pending.stagingDir, SWAP_MARKER);
    const resumed = readSwapMarker(swapMarker);
    if (!resumed && (!isCompleteCluster(stagedPg) || !fs.existsSync(stagedDb))) {
      dropPending();
      throw new PustakaError('storage_error', 'the staged restore is incomplete; nothing was changed');
    }
    const previousDir = resumed ?? path.join(dataDir, `restore-previous-${stamp()}`);
    fs.mkdirSync(previousDir, { recursive: true });
    if (!resumed) writeFileDurably(swapMarker, `${JSON.stringify({ previousDir })}\n`);
    const sqliteFiles = ['collections.db', 'collections.db-wal', 'collections.db-shm'];
    const stores: { staged: string; files: [string, string][] }[] = [
      { staged: stagedPg, files: [[paths.pg, path.join(previousDir, 'pg')]] },
      {
        staged: stagedDb,
        files: sqliteFiles.map((f) => [path.join(dataDir, f), path.join(previousDir, f)]),
      },
    ];
    try {
      for (const store of stores) {
        if (!fs.existsSync(store.staged)) continue; // already moved in before a crash
        for (const [from, to] of store.files) if (fs.existsSync(from)) fs.renameSync(from, to);
      }
      for (const store of stores) {
        if (fs.existsSync(store.staged)) fs.renameSync(store.staged, store.files[0]![0]);
      }
      fsyncDir(dataDir);
      await openRestored(paths.pg, paths.collectionsDb, pending, previousDir);
    } catch (err) {
      // Put back whatever was moved aside, by this attempt or by one a crash cut short.
      for (const store of stores) {
        const placed = !fs.existsSync(store.staged);
        for (const [current, aside] of store.files) {
          if (placed) fs.rmSync(current, { recursive: true, force: true });
          if (fs.existsSync(aside)) fs.renameSync(aside, current);
        }
      }
      fs.rmSync(previousDir, { recursive: true, force: true });
      fsyncDir(dataDir);
      dropPending();
      throw new PustakaError(
        'storage_error',
        `the restored data did not open (${(err as Error).message}); your current data was kept as it was`,
        { backupPath: pending.backupPath },
        { cause: err },
      );
    }
    dropPending();
    return { backupPath: pending.backupPath, previousDir, safetyBackupPath: pending.safetyBackupPath };
  } finally {
    lock.release();
  }
}

/** Opens both restored stores once (a clean open is the test of success) and records the restore. */
async function openRestored(pgDir: string, sqliteFile: string, pending: PendingRestore, previousDir: string) {
  const vectors = openVectorStore(sqliteFile);
  try {
    vectors.countChunks();
    vectors.quickCheck();
  } finally {
    vectors.close();
  }
  const db = await openDb({ pgDir, templateDir: null });
  try {
    await writeAudit(
      db,
      'backup.restore',
      { type: 'backup', id: path.basename(pending.backupPath) },
      {
        phase: 'applied',
        stagedAt: pending.stagedAt,
        previousData: path.basename(previousDir),
        safetyBackup: pending.safetyBackupPath ? path.basename(pending.safetyBackupPath) : null,
      },
    );
  } finally {
    await db.close();
  }
}

const SWAP_MARKER = 'swap-started.json';

/** Where a swap that was cut short moved the current data, or null when no swap started. */
function readSwapMarker(file: string): string | null {
  try {
    const { previousDir } = JSON.parse(fs.readFileSync(file, 'utf8')) as { previousDir?: unknown };
    return typeof previousDir === 'string' ? previousDir : null;
  } catch {
    return null;
  }
}

function writeFileDurably(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fsyncFile(tmp);
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
