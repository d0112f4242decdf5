import fs from 'node:fs';
import path from 'node:path';

/**
 * Files a data folder's table refers to by name (archives in `backups/`, models in `models/`): what
 * such a name may be, and the one check before Pustaka deletes one, so that a row copied from
 * another folder, restored from an old catalogue or edited by hand can never make it delete a file
 * that is not its own.
 */

/** A plain file name: no folder part, not hidden, not `.`/`..`. */
export function isPlainFileName(stored: string): boolean {
  return (
    stored.length > 0 &&
    !stored.startsWith('.') &&
    !stored.includes('/') &&
    !stored.includes('\\') &&
    path.basename(stored) === stored
  );
}

/** The real path of a folder (or its absolute path when it does not exist). */
function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/** Whether two folder paths name the same folder (through links too). */
export function sameDir(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b) || realDir(a) === realDir(b);
}

export type OwnedFileCheck = { ok: true; exists: boolean } | { ok: false; why: string };

/**
 * Whether `file` may be deleted as one of `dir`'s own files: a regular file (not a link, not a
 * folder) with a plain name directly inside `dir`, by its real path too. A file that is not there
 * is fine (nothing to delete). `folder` names the folder in the reason.
 */
export function checkOwnedFile(dir: string, file: string, folder: string): OwnedFileCheck {
  const abs = path.resolve(file);
  if (!isPlainFileName(path.basename(abs)) || !sameDir(path.dirname(abs), dir)) {
    return { ok: false, why: `it is not in the ${folder} folder` };
  }
  const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!stat) return { ok: true, exists: false };
  if (stat.isSymbolicLink()) return { ok: false, why: 'it is a link' };
  if (!stat.isFile()) return { ok: false, why: 'it is not a regular file' };
  if (!sameDir(path.dirname(fs.realpathSync(abs)), dir)) {
    return { ok: false, why: `it lies outside the ${folder} folder` };
  }
  return { ok: true, exists: true };
}
