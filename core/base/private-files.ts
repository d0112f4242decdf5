import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The data folder holds a consultant's documents and the database they live in: it is the user's
 * alone (folders 0700, files 0600 on POSIX). PGlite writes its cluster 0666 (initdb's files, and
 * `pg_internal.init` 0644 on every start, whatever the umask), the template copy keeps the
 * template's modes and older Pustaka versions left 0644/0755, so modes are repaired by a walk and
 * not only prevented by the umask.
 *
 * Windows: not handled here. The default folder (%APPDATA%) inherits an ACL that already grants
 * only the user, SYSTEM and administrators; a `--data-dir` elsewhere keeps its parent's ACL.
 */
export const PRIVATE_BITS = 0o077;
/** What a shared install folder (the template cluster) must not grant: writes by others. */
export const SHARED_READ_ONLY_BITS = 0o022;

export interface ModeRepair {
  /** Entries looked at (files, folders; symbolic links are neither followed nor changed). */
  entries: number;
  /** Entries whose mode was narrowed. */
  changed: number;
  /** Entries that could not be changed (owned by another user), with the reason. */
  failed: { path: string; error: string }[];
}

/**
 * Clears `stripBits` (group/other permissions) from `root` and (with `recurse`) everything under it. Only entries
 * that grant one of those bits are touched, so a folder that is already right costs one lstat per
 * entry. The owner's own bits are kept as they are.
 */
export function restrictTree(root: string, stripBits: number = PRIVATE_BITS, recurse = true): ModeRepair {
  const report: ModeRepair = { entries: 0, changed: 0, failed: [] };
  if (process.platform === 'win32' || isSharedRoot(root)) return report;
  const visit = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return; // removed while walking
    }
    if (st.isSymbolicLink()) return; // chmod would change the link's target, maybe outside the folder
    report.entries++;
    if (st.mode & stripBits) {
      try {
        fs.chmodSync(p, st.mode & 0o7777 & ~stripBits);
        report.changed++;
      } catch (err) {
        report.failed.push({ path: p, error: (err as Error).message });
      }
    }
    if (!st.isDirectory() || !recurse) return;
    let names: string[];
    try {
      names = fs.readdirSync(p);
    } catch (err) {
      report.failed.push({ path: p, error: (err as Error).message });
      return;
    }
    for (const name of names) visit(path.join(p, name));
  };
  visit(root);
  return report;
}

/** A home folder or a disk given as the data folder: its other contents are not ours to change. */
function isSharedRoot(dir: string): boolean {
  const resolved = path.resolve(dir);
  return resolved === path.resolve(os.homedir()) || path.dirname(resolved) === resolved;
}

/** `restrictTree` for a folder that is all ours: only the owner may read, write or list anything. */
export function makePrivate(root: string): ModeRepair {
  return restrictTree(root, PRIVATE_BITS);
}

/**
 * What Pustaka itself keeps in a data folder: the stores, their staging and set-aside copies, the
 * backups, models, lock and key. Only these are walked: the folder may be Electron's userData
 * (Chromium's caches beside us) or a `--data-dir` the user also keeps other files in, which are
 * not ours to change.
 */
const OWN_ENTRY =
  /^(pg|pg\.partial-.*|collections\.db.*|models|backups|install-key.*|pustaka\.lock.*|restore-.*|\.collection-import-.*)$/;

/** The data folder itself and Pustaka's entries in it but `except`, made private (see makePrivate). */
export function makeDataFolderPrivate(root: string, except: readonly string[] = []): ModeRepair {
  const report = restrictTree(root, PRIVATE_BITS, false);
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return report;
  }
  for (const name of names) {
    if (!OWN_ENTRY.test(name) || except.includes(name)) continue;
    const sub = restrictTree(path.join(root, name), PRIVATE_BITS);
    report.entries += sub.entries;
    report.changed += sub.changed;
    report.failed.push(...sub.failed);
  }
  return report;
}

/**
 * Creates `dir` private (missing parents with the usual modes) and makes an existing one private.
 * A folder we may not chmod (another owner) is left as it is: the walk at open reports it.
 */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (process.platform === 'win32' || isSharedRoot(dir)) return;
  const mode = fs.statSync(dir).mode;
  if (!(mode & PRIVATE_BITS)) return;
  try {
    fs.chmodSync(dir, mode & 0o7777 & ~PRIVATE_BITS);
  } catch {
    /* not ours to change */
  }
}

/**
 * Files this process creates from now on are private (umask 077): WAL segments, SQLite's -wal and
 * -shm, backups, exports, logs. It is process-wide on purpose: the engine process exists to work on
 * the private data folder, and an explicit mode at every one of the places that create files (many
 * inside PGlite, SQLite and tar) could not be kept complete. Worker threads cannot set it, and
 * inherit the process's.
 */
export function usePrivateUmask(): void {
  if (process.platform === 'win32' || !isMainThread) return;
  process.umask(process.umask(PRIVATE_BITS) | PRIVATE_BITS);
}
