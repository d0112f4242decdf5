import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a model file lies. A file in the data folder's `models/` belongs to that folder: the
 * `models` table (column `path`) and a collection's `settings.embedderModel` store its file name,
 * resolved against this folder's `models/` when used, so a copied or moved data folder, or a
 * backup restored into another one, uses its own files. A linked file elsewhere (chosen by the
 * user, by design) is stored by its absolute path. Rows written before that held absolute paths
 * into `models/`; model-reconcile.ts turns those into names.
 */

/** A plain file name, as a row stores a model in `models/`: no folder part, not hidden, not `.`/`..`. */
export function isModelName(stored: string): boolean {
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

/** The absolute path a stored reference stands for: a name lies in `modelsDir`. */
export function modelFilePath(modelsDir: string, stored: string): string {
  return isModelName(stored) ? path.join(modelsDir, stored) : path.resolve(modelsDir, stored);
}

/** What to store for a file: its name when it lies directly in `modelsDir`, else its absolute path. */
export function modelReference(modelsDir: string, file: string): string {
  const abs = path.resolve(file);
  const name = path.basename(abs);
  return isModelName(name) && sameDir(path.dirname(abs), modelsDir) ? name : abs;
}

/** Every form a reference to the same file may take (name, absolute path), to match older rows. */
export function referencesOf(modelsDir: string, file: string): string[] {
  const abs = modelFilePath(modelsDir, file);
  return [...new Set([file, abs, modelReference(modelsDir, abs)])];
}

/**
 * The one check before a model file is deleted: `file` must be a regular file (not a link, not a
 * folder) directly inside `modelsDir`, compared by real paths, or not there at all (nothing to delete).
 * Returns null when it may be deleted, else why it is kept.
 */
export function whyModelFileKept(modelsDir: string, file: string): string | null {
  const abs = path.resolve(file);
  if (!isModelName(path.basename(abs)) || !sameDir(path.dirname(abs), modelsDir))
    return 'it is not in the models folder';
  const stat = fs.lstatSync(abs, { throwIfNoEntry: false });
  if (!stat) return null;
  if (stat.isSymbolicLink()) return 'it is a link';
  return stat.isFile() ? null : 'it is not a regular file';
}
