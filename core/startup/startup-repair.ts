import fs from 'node:fs';
import { isCompleteCluster } from '../stores/pg/cluster.ts';
import { acquireDataDirLock, type DataDirLock } from '../base/data-dir-lock/data-dir-lock.ts';
import { diskFullError } from '../base/disk-full.ts';
import type { Db } from '../stores/pg/pg-store.ts';
import { isPustakaError, PustakaError } from '../base/errors.ts';
import { createJob } from '../knowledge/import/jobs.ts';
import type { DataPaths } from '../base/paths.ts';
import { reconcileStores, type ReconcileReport } from '../stores/reconcile.ts';
import type { StoreRepair } from '../stores/store-damage.ts';
import {
  damagedPgError,
  isPgDamage,
  latestBackup,
  isSqliteDamage,
  setAsideCollectionsDb,
} from '../stores/store-damage.ts';
import { setCollectionEmbedderId } from '../stores/vectors/reembed.ts';
import { openVectorStore, type VectorStore } from '../stores/vectors/store.ts';

/** What start-up repaired in the derived store (collections.db). */

/**
 * Opens collections.db and reconciles it with Postgres. A damaged file is moved aside and a new
 * one built; `indexed` documents whose chunks are missing (damage, a lost file, a power cut
 * after PG committed) get an interrupted import job each collection, so resuming rebuilds them.
 */
export async function openDerivedStore(
  paths: DataPaths,
  db: Db,
): Promise<{ vectors: VectorStore; reconcile: ReconcileReport; repair: StoreRepair }> {
  let setAside: string | null = null;
  let opened: { vectors: VectorStore; reconcile: ReconcileReport };
  try {
    opened = await openAndReconcile(paths, db);
  } catch (err) {
    if (!isSqliteDamage(err)) throw err;
    setAside = setAsideCollectionsDb(paths);
    opened = await openAndReconcile(paths, db);
  }
  try {
    return { ...opened, repair: await rebuildMissing(db, opened, setAside) };
  } catch (err) {
    opened.vectors.close();
    throw err;
  }
}

/** Registers collections a new store lacks, and queues rebuild jobs for missing chunks. */
async function rebuildMissing(
  db: Db,
  opened: { vectors: VectorStore; reconcile: ReconcileReport },
  setAside: string | null,
): Promise<StoreRepair> {
  registerCollections(
    opened.vectors,
    await db.query<{ id: number; embedder_id: string; embedding_dim: number }>(
      'SELECT id, embedder_id, embedding_dim FROM collections',
    ),
  );
  const missing = opened.reconcile.missingChunks;
  const rebuildJobs: number[] = [];
  if (missing.length) {
    const rows = await db.query<{ collection_id: number; paths: string[] }>(
      `SELECT collection_id, array_agg(source_path ORDER BY source_path) AS paths FROM documents
       WHERE id = ANY($1::bigint[]) GROUP BY collection_id ORDER BY collection_id`,
      [missing],
    );
    const why = setAside
      ? `collections.db was damaged and moved to ${setAside}; resume to rebuild it from the source files`
      : 'chunks were missing from collections.db; resume to rebuild them from the source files';
    for (const r of rows) {
      // Created 'running': the start-up sweep right after marks it interrupted like any cut-short job.
      const id = await createJob(db, Number(r.collection_id), 'import', r.paths, { rebuild: true });
      await db.query('UPDATE import_jobs SET error = $2 WHERE id = $1', [id, why]);
      rebuildJobs.push(id);
    }
  }
  return { collectionsDbSetAside: setAside, rebuildJobs, requeuedDocuments: missing.length };
}

/** A new (or emptied) collections.db learns each collection's dimension and embedder again. */
function registerCollections(
  vectors: VectorStore,
  rows: { id: number; embedder_id: string; embedding_dim: number }[],
): void {
  const known = new Set(vectors.collectionIds());
  for (const r of rows) {
    if (known.has(Number(r.id))) continue;
    vectors.ensureCollection(Number(r.id), Number(r.embedding_dim));
    setCollectionEmbedderId(vectors, Number(r.id), r.embedder_id);
  }
}

async function openAndReconcile(paths: DataPaths, db: Db) {
  const vectors = openVectorStore(paths.collectionsDb);
  try {
    return { vectors, reconcile: await reconcileStores(db, vectors) };
  } catch (err) {
    vectors.close();
    throw err;
  }
}

function isPgOpenFailure(paths: DataPaths, err: unknown): boolean {
  return isPustakaError(err) && err.code === 'data_dir_unusable' && err.details?.pgDir === paths.pg;
}

/** Below this much free space a cluster that will not start is taken for a full disk, not damage. */
const PG_START_MIN_FREE = 32 * 1024 * 1024;

/** PGlite reports a full disk at start-up only as "failed to initialize": ask the file system. */
function diskFullByFreeSpace(paths: DataPaths, err: unknown): PustakaError | null {
  let free: number;
  try {
    const st = fs.statfsSync(paths.root);
    free = st.bavail * st.bsize;
  } catch {
    return null;
  }
  if (free >= PG_START_MIN_FREE) return null;
  return diskFullError(
    Object.assign(new Error(`only ${Math.floor(free / 1024)} KB free on the disk of ${paths.root}`), {
      code: 'ENOSPC',
      cause: err,
    }),
  );
}

/**
 * Turns a start-up failure into the error the user should see: a damaged Postgres cluster becomes
 * `data_dir_unusable` naming the store and the latest backup to restore.
 */
export function explainStartupFailure(paths: DataPaths, err: unknown): unknown {
  const full = diskFullError(err) ?? (isPgOpenFailure(paths, err) ? diskFullByFreeSpace(paths, err) : null);
  if (full) return full;
  if (isPgDamage(err)) return damagedPgError(paths, err);
  if (isPgOpenFailure(paths, err)) return damagedPgError(paths, (err as PustakaError).cause ?? err);
  return err;
}

/**
 * Refuses to start when the Postgres cluster is gone or incomplete in a data folder that was used
 * before (collections.db exists): opening would silently create an empty database (and the
 * reconciler would then drop every chunk). New clusters are always built beside the data folder
 * and renamed into place, so this state means damage or a lost folder, never a first start.
 */
export function assertPgNotLost(paths: DataPaths): void {
  if (!fs.existsSync(paths.collectionsDb)) return;
  if (fs.existsSync(paths.pg) && isCompleteCluster(paths.pg)) return;
  const state = fs.existsSync(paths.pg)
    ? 'incomplete (PG_VERSION or global/pg_control is missing)'
    : 'missing';
  const backup = latestBackup(paths.backups);
  throw new PustakaError(
    'data_dir_unusable',
    `the Postgres database in ${paths.pg} is ${state}, although this data folder was used before. Pustaka did not start, so nothing was changed. ${
      backup
        ? `Restore the latest backup (${backup}), or move ${paths.root} aside to start empty.`
        : `No backup was found in ${paths.backups}: restore a backup you keep elsewhere, or move ${paths.root} aside to start empty.`
    }`,
    { store: 'pg', path: paths.pg, latestBackup: backup, reason: state },
  );
}

/** The data-dir lock, with a full disk (the lock file cannot be written) reported clearly. */
export function acquireStartupLock(paths: DataPaths): DataDirLock {
  try {
    return acquireDataDirLock(paths.root, paths.lock);
  } catch (err) {
    throw explainStartupFailure(paths, err);
  }
}
