import path from 'node:path';
import { checkOwnedFile, isPlainFileName, sameDir } from '../../base/owned-file.ts';

/**
 * Where a model file lies. A file in the data folder's `models/` belongs to that folder: the
 * `models` table (column `path`) and a collection's `settings.embedderModel` store its file name,
 * resolved against this folder's `models/` when used, so a copied or moved data folder, or a
 * backup restored into another one, uses its own files. A linked file elsewhere (chosen by the
 * user, by design) is stored by its absolute path. Rows written before that held absolute paths
 * into `models/`; model-reconcile.ts turns those into names.
 */

/** A plain file name, as a row stores a model in `models/`. */
export const isModelName = isPlainFileName;

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
 * The one check before a model file is deleted (see checkOwnedFile): null when it may be deleted,
 * else why it is kept.
 */
export function whyModelFileKept(modelsDir: string, file: string): string | null {
  const check = checkOwnedFile(modelsDir, file, 'models');
  return check.ok ? null : check.why;
}
