import fs from 'node:fs';
import path from 'node:path';
import { PustakaError } from '../../base/errors.ts';
import { checkOwnedFile, isPlainFileName, sameDir } from '../../base/owned-file.ts';

/**
 * Where a catalogued archive lies. An archive belongs to the data folder it sits in: the `backups`
 * table stores its file name, resolved against this folder's `backups/` when used, so a copied or
 * moved data folder, or a restored catalogue, refers to its own archives. Rows written before that
 * held absolute paths; the catalogue sync turns those into names (see catalog-sync.ts), and any
 * other path (another folder's archive, a tampered row) is never used, and never deleted.
 */
export const ARCHIVE_SUFFIX = '.pustaka-backup';

/** A plain file name, as the catalogue stores it. */
export const isArchiveName = isPlainFileName;

/**
 * The archive's path in this folder's `backups/` when the row names one there (a name, or a
 * legacy absolute path into this very folder); null for anything else.
 */
export function localArchive(backupsDir: string, stored: string): string | null {
  if (isArchiveName(stored)) return path.join(backupsDir, stored);
  if (path.isAbsolute(stored) && isArchiveName(path.basename(stored))) {
    if (sameDir(path.dirname(stored), backupsDir)) return path.join(backupsDir, path.basename(stored));
  }
  return null;
}

/**
 * The name in this folder's `backups/` a row stands for: its own name, a legacy absolute path into
 * this folder, or — for a row pointing into another folder, as a copied data folder's catalogue
 * does — the archive of the same name (and size, when the row knows it) here, which is the copy of
 * that archive. Null: the row names a file elsewhere, never used and never deleted.
 */
export function ownArchiveName(
  row: { path: string; size_bytes: number | string | null },
  backupsDir: string,
): string | null {
  if (isArchiveName(row.path)) return row.path;
  if (localArchive(backupsDir, row.path)) return path.basename(row.path);
  if (!path.isAbsolute(row.path)) return null;
  const name = path.basename(row.path);
  if (!isArchiveName(name)) return null;
  const here = fs.statSync(path.join(backupsDir, name), { throwIfNoEntry: false });
  if (!here?.isFile()) return null;
  return row.size_bytes === null || Number(row.size_bytes) === here.size ? name : null;
}

/** The absolute path shown for a row: in this folder's `backups/`, or wherever a foreign row points. */
export function displayPath(backupsDir: string, stored: string): string {
  return localArchive(backupsDir, stored) ?? path.resolve(backupsDir, stored);
}

/**
 * The one check before any archive is deleted: `file` must be a regular file (not a link, not a
 * folder) directly inside `backupsDir` — by its real path — named like an archive. Returns false
 * when there is no file (nothing to delete); throws `conflict`, naming the file, for anything else.
 */
export function assertRemovableArchive(backupsDir: string, file: string): boolean {
  const refuse = (why: string) =>
    new PustakaError(
      'conflict',
      `${file} was not deleted: ${why}. Pustaka deletes only archives directly inside ${backupsDir}; move or delete that file yourself if you mean to`,
      { path: file, backupsDir },
    );
  if (!path.basename(file).endsWith(ARCHIVE_SUFFIX)) throw refuse('it is not named like a backup');
  const check = checkOwnedFile(backupsDir, file, 'backups');
  if (!check.ok) throw refuse(check.why);
  return check.exists;
}
