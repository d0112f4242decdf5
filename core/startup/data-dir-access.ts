import fs from 'node:fs';
import path from 'node:path';
import type { DataPaths } from '../base/paths.ts';
import { PustakaError } from '../base/errors.ts';

/** Node's codes for "you may not write here": permission bits, an ACL or flag, a read-only mount. */
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Enough of a cluster to find a file another user owns, without walking a huge one for long. */
const MAX_CHECKED = 20_000;

/**
 * A data folder Pustaka may not write to (a read-only folder, one owned by another user, a
 * read-only disk) shows up as a raw EACCES/EPERM/EROFS from whichever file it touched first (the
 * lock, models/, collections.db), or, from PGlite, as a cluster that "failed to initialize" and
 * looks damaged. This names the folder, the file and the fix in one `data_dir_unusable`; null when
 * the folder is fine and `err` is something else.
 */
export function dataDirAccessError(paths: DataPaths, err: unknown): PustakaError | null {
  const denied = deniedCause(err);
  // Another engine holding the folder, or a full disk, is its own clear answer.
  const explained = err instanceof PustakaError && err.code !== 'data_dir_unusable';
  const found = denied
    ? { code: denied.code!, file: typeof denied.path === 'string' ? denied.path : null }
    : explained
      ? null
      : firstInaccessible(paths);
  if (!found) return null;
  return accessError(paths, found.code, found.file, err);
}

/**
 * SQLite opens a collections.db it may not write read-only without a word, and the first import
 * then fails deep inside; refuse at start instead, like every other store that cannot be written.
 */
export function assertStoresWritable(paths: DataPaths): void {
  const { collectionsDb } = paths;
  for (const p of [collectionsDb, `${collectionsDb}-wal`, `${collectionsDb}-shm`]) {
    try {
      fs.accessSync(p, fs.constants.R_OK | fs.constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (DENIED.has(code)) throw accessError(paths, code, p, err);
    }
  }
}

function accessError(paths: DataPaths, code: string, file: string | null, cause: unknown): PustakaError {
  const dataDir = paths.root;
  const exists = fs.existsSync(dataDir);
  const inside = file && file.startsWith(dataDir + path.sep) ? path.relative(dataDir, file) : null;
  // Only an entry that is there (collections.db, a file in pg/) helps; the lock's temporary file
  // or a marker looked for would only puzzle.
  const where = inside && fs.existsSync(file!) ? ` (${inside})` : '';
  const what = exists
    ? `cannot write to its data folder ${dataDir}${where}`
    : `cannot create its data folder ${dataDir}`;
  const message =
    code === 'EROFS'
      ? `Pustaka ${what}: it is on a read-only file system. Mount that disk read-write, or choose another folder with --data-dir (or PUSTAKA_DATA_DIR).`
      : `Pustaka ${what}: permission denied. Give your user write access to ${exists ? 'it' : path.dirname(dataDir)} (for example \`sudo chown -R "$USER" "${exists ? dataDir : path.dirname(dataDir)}"\`), or choose another folder with --data-dir (or PUSTAKA_DATA_DIR).`;
  return new PustakaError(
    'data_dir_unusable',
    message,
    { dataDir, reason: code === 'EROFS' ? 'read_only_file_system' : 'permission_denied', code, path: file },
    { cause },
  );
}

/** The first error in the cause chain with a permission code (PGlite and SQLite wrap theirs). */
function deniedCause(err: unknown): NodeJS.ErrnoException | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DENIED.has(code)) return e as NodeJS.ErrnoException;
  }
  return null;
}

/**
 * The first entry of the data folder this process may not read and write (folders: also enter),
 * checked with access(2), which also answers EROFS on a read-only mount. Missing entries are fine.
 */
function firstInaccessible(paths: DataPaths): { code: string; file: string } | null {
  let checked = 0;
  const check = (p: string, recurse: boolean): { code: string; file: string } | null => {
    if (++checked > MAX_CHECKED) return null;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      return DENIED.has(code) ? { code, file: p } : null;
    }
    if (st.isSymbolicLink()) return null;
    const mode = fs.constants.R_OK | fs.constants.W_OK | (st.isDirectory() ? fs.constants.X_OK : 0);
    try {
      fs.accessSync(p, mode);
    } catch (err) {
      return { code: (err as NodeJS.ErrnoException).code ?? 'EACCES', file: p };
    }
    if (!recurse || !st.isDirectory()) return null;
    let names: string[];
    try {
      names = fs.readdirSync(p);
    } catch {
      return null;
    }
    for (const name of names) {
      const found = check(path.join(p, name), true);
      if (found) return found;
    }
    return null;
  };
  const { root, pg, collectionsDb, models, backups } = paths;
  for (const [p, recurse] of [
    [root, false],
    [collectionsDb, false],
    [`${collectionsDb}-wal`, false],
    [`${collectionsDb}-shm`, false],
    [models, false],
    [backups, false],
    [pg, true],
  ] as const) {
    const found = check(p, recurse);
    if (found) return found;
  }
  return null;
}
