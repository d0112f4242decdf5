import fs from 'node:fs';
import { isCompleteCluster } from '../stores/pg/cluster.ts';
import { acquireDataDirLock, type DataDirLock } from '../base/data-dir-lock/data-dir-lock.ts';
import { diskFullError } from '../base/disk-full.ts';
import type { Db } from '../stores/pg/pg-store.ts';
import { isPustakaError, PustakaError } from '../base/errors.ts';
import { dataDirAccessError } from './data-dir-access.ts';
import type { DataPaths } from '../base/paths.ts';
import type { ReconcileReport } from '../stores/reconcile.ts';
import type { StoreRepair } from '../stores/store-damage.ts';
import {
  damagedPgError,
  isPgDamage,
  latestBackup,
  isSqliteDamage,
  setAsideCollectionsDb,
} from '../stores/store-damage.ts';
import type { IntegrityTaskOutput } from '../stores/vectors/integrity.ts';
import { openVectorStore, type VectorStore } from '../stores/vectors/store.ts';
import { reconcileAndQueue, replaceDamagedStore } from './index-repair.ts';

/**
 * Opens collections.db and reconciles it with Postgres. A damaged file (found by the header check
 * at open, by `integrity` — the quick_check started beside Postgres —, or by a read while
 * reconciling) is moved aside and an empty one built; `indexed` documents whose chunks are missing
 * (damage, a lost file, a power cut after PG committed) get a rebuild job per collection
 * (core/startup/index-repair.ts, the same repair as at run time).
 */
export async function openDerivedStore(
  paths: DataPaths,
  db: Db,
  opts: { integrity?: Promise<IntegrityTaskOutput | null> } = {},
): Promise<{ vectors: VectorStore; reconcile: ReconcileReport; repair: StoreRepair }> {
  let setAside: string | null = null;
  const checked = await opts.integrity;
  if (checked?.damaged) setAside = setAsideCollectionsDb(paths);
  let vectors: VectorStore;
  try {
    vectors = openVectorStore(paths.collectionsDb);
  } catch (err) {
    if (!isSqliteDamage(err) || setAside) throw err;
    setAside = setAsideCollectionsDb(paths);
    vectors = openVectorStore(paths.collectionsDb);
  }
  try {
    try {
      return { vectors, ...(await reconcileAndQueue(db, vectors, setAside)) };
    } catch (err) {
      if (!isSqliteDamage(err)) throw err;
      // Damage only the reconciler's reads met: replaced the way a search would replace it.
      return { vectors, ...(await replaceDamagedStore(paths, db, vectors)) };
    }
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
 * Turns a start-up failure into the error the user should see: a folder Pustaka may not write to,
 * or a damaged Postgres cluster, becomes `data_dir_unusable` naming the folder and the fix.
 */
export function explainStartupFailure(paths: DataPaths, err: unknown): unknown {
  const denied = dataDirAccessError(paths, err);
  if (denied) return denied;
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
export async function acquireStartupLock(
  paths: DataPaths,
  opts: { attachable?: boolean } = {},
): Promise<DataDirLock> {
  try {
    return await acquireDataDirLock(paths.root, paths.lock, opts.attachable ? { attachable: true } : {});
  } catch (err) {
    throw explainStartupFailure(paths, err);
  }
}
