/** Upkeep of the database file: checkpoints, index optimisation, integrity checks, copies, sizes. */
import fs from 'node:fs';
import type { StoreContext } from './context.ts';

/** `PRAGMA wal_checkpoint(TRUNCATE)`. */
export function checkpoint({ db }: StoreContext): void {
  db.pragma('wal_checkpoint(TRUNCATE)');
}

/** Merges the FTS5 index's segments. */
export function optimizeKeywordIndex({ db }: StoreContext): void {
  db.exec(`INSERT INTO chunks_fts (chunks_fts) VALUES ('optimize')`);
}

/** `PRAGMA quick_check`: 'ok', or the first problem found. */
export function quickCheck({ db }: StoreContext): string {
  return db.pragma('quick_check', { simple: true }) as string;
}

export async function backup({ db }: StoreContext, destination: string): Promise<void> {
  await db.backup(destination);
}

export function fileSizes({ path }: StoreContext): { db: number; wal: number } {
  const size = (p: string): number => {
    try {
      return fs.statSync(p).size;
    } catch {
      return 0;
    }
  };
  return { db: size(path), wal: size(`${path}-wal`) };
}

export function versions({ stmt }: StoreContext): { sqlite: string; sqliteVec: string } {
  return stmt('SELECT sqlite_version() AS sqlite, vec_version() AS sqliteVec').get() as {
    sqlite: string;
    sqliteVec: string;
  };
}
