import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, fsyncFile } from '../../base/fsync.ts';

/**
 * PGlite runs Postgres with fsync off, and its WASM file system could not fsync anyway: a
 * committed transaction reaches the OS page cache (safe against a crash of our process) but not
 * the disk (unsafe against power loss). This syncer makes commits durable from outside: after
 * each write it fsyncs the WAL segments that changed, and after a checkpoint (pg_control moved)
 * it fsyncs the whole cluster, since checkpointed data pages are then the only copy.
 */
export interface ClusterSyncer {
  /** Call after a statement or transaction that may have written. Cheap when nothing changed. */
  afterWrite(): void;
  /** fsync every file and folder of the cluster (after close, before a backup). */
  syncAll(): void;
  readonly stats: { walSyncs: number; fullSyncs: number };
}

function fsyncPath(p: string, isDir: boolean): void {
  try {
    if (isDir) fsyncDir(p);
    else fsyncFile(p);
  } catch (err) {
    // A file or folder removed meanwhile (a WAL segment recycled) needs no sync.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function mtimeKey(file: string): string {
  try {
    const st = fs.statSync(file);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return 'missing';
  }
}

export function createClusterSyncer(pgDir: string): ClusterSyncer {
  const walDir = path.join(pgDir, 'pg_wal');
  const control = path.join(pgDir, 'global', 'pg_control');
  const seen = new Map<string, string>();
  for (const name of safeReaddir(walDir)) seen.set(name, mtimeKey(path.join(walDir, name)));
  let controlKey = mtimeKey(control);
  const stats = { walSyncs: 0, fullSyncs: 0 };

  function syncAll(): void {
    walk(pgDir);
    stats.fullSyncs++;
  }

  return {
    stats,
    afterWrite() {
      let created = false;
      for (const name of safeReaddir(walDir)) {
        const file = path.join(walDir, name);
        const key = mtimeKey(file);
        if (seen.get(name) === key) continue;
        if (!seen.has(name)) created = true;
        if (fs.statSync(file, { throwIfNoEntry: false })?.isFile()) fsyncPath(file, false);
        seen.set(name, key);
        stats.walSyncs++;
      }
      if (created) fsyncPath(walDir, true);
      const nextControl = mtimeKey(control);
      if (nextControl !== controlKey) {
        controlKey = nextControl;
        syncAll();
      }
    },
    syncAll,
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function walk(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.isFile()) fsyncPath(p, false);
  }
  fsyncPath(dir, true);
}
