import fs from 'node:fs';
import path from 'node:path';
import { PustakaError } from '../base/errors.ts';
import type { DataPaths } from '../base/paths.ts';

/**
 * What start-up does when a store is damaged. Postgres is the source of truth: a damaged cluster
 * stops the start with a clear error that names the latest backup — never a silent empty start.
 * collections.db is derived: a damaged file is moved aside (kept, never deleted) and rebuilt from
 * the source files.
 */

/**
 * SQLite result codes that mean the file itself is bad (not busy, full or read-only). Virtual
 * tables (vec0) may pass SQLite's own message on under a generic code, so the message counts too.
 */
export function isSqliteDamage(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return true;
  const message = err instanceof Error ? err.message : '';
  return (
    code.startsWith('SQLITE_') && /database disk image is malformed|file is not a database/i.test(message)
  );
}

/** The error a search, import or check gets when it found collections.db damaged. */
export function indexRebuildingError(file: string, cause: unknown): PustakaError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new PustakaError(
    'index_rebuilding',
    `the search index (${file}) is damaged (${reason}); it is being set aside and rebuilt from the source files. Searches find only what is rebuilt so far until then; \`pustaka status\` shows the progress.`,
    { store: 'collections', path: file, reason },
    { cause },
  );
}

/** A call failed because collections.db was found damaged (and is being rebuilt). */
export function isIndexRebuilding(err: unknown): boolean {
  return err instanceof PustakaError && err.code === 'index_rebuilding';
}

/** Postgres SQLSTATEs for damaged data (XX001 data_corrupted, XX002 index_corrupted). */
export function isPgDamage(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'XX001' || code === 'XX002';
}

/** Newest backup archive in `<data>/backups/` (by modification time), or null. */
export function latestBackup(backupsDir: string): string | null {
  let best: { file: string; mtime: number } | null = null;
  let names: string[];
  try {
    names = fs.readdirSync(backupsDir);
  } catch {
    return null;
  }
  for (const name of names) {
    // Hidden files and archives still being written are not backups yet.
    if (name.startsWith('.') || /\.(part|partial|tmp)$/.test(name)) continue;
    const file = path.join(backupsDir, name);
    const st = fs.statSync(file, { throwIfNoEntry: false });
    if (st?.isFile() && st.size > 0 && (!best || st.mtimeMs > best.mtime)) best = { file, mtime: st.mtimeMs };
  }
  return best?.file ?? null;
}

/** The start-up error for a damaged Postgres cluster: names the store and what to do. */
export function damagedPgError(paths: DataPaths, cause: unknown): PustakaError {
  const backup = latestBackup(paths.backups);
  const reason = cause instanceof Error ? cause.message : String(cause);
  const todo = backup
    ? `Restore the latest backup (${backup}), or move ${paths.pg} aside to start with an empty database.`
    : `No backup was found in ${paths.backups}: move ${paths.pg} aside to start with an empty database, or restore a backup you keep elsewhere.`;
  return new PustakaError(
    'data_dir_unusable',
    `the Postgres database in ${paths.pg} is damaged (${reason}). Pustaka did not start, so nothing was changed. ${todo}`,
    { store: 'pg', path: paths.pg, latestBackup: backup, reason },
    { cause },
  );
}

/**
 * Renames a damaged collections.db (and its -wal/-shm) to `collections.db.damaged-<time>` beside
 * it, so a fresh one can be built; returns the new name of the main file.
 */
export function setAsideCollectionsDb(paths: DataPaths, now = new Date()): string {
  const target = `${paths.collectionsDb}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['-wal', '-shm', '']) {
    const from = paths.collectionsDb + suffix;
    if (fs.existsSync(from)) fs.renameSync(from, target + suffix);
  }
  return target;
}

/** What start-up repaired in the derived store (see core/startup/startup-repair.ts). */
export interface StoreRepair {
  /** Where a damaged collections.db was moved (kept for inspection), or null. */
  collectionsDbSetAside: string | null;
  /** Import jobs queued to rebuild missing chunks from the source files (`import --resume`). */
  rebuildJobs: number[];
  requeuedDocuments: number;
}
