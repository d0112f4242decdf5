import fs from 'node:fs';
import path from 'node:path';
import type { ImportEvent } from '../../contract/methods/imports.ts';
import { fsPathBytes, toFsPath } from '../../base/raw-path.ts';
import { deleteDocument } from '../documents/documents.ts';
import type { ImportDeps } from './import-types.ts';

/**
 * Import stage, remove missing (with `removeMissing`): deletes the documents under the given
 * folders whose files no longer exist on disk, emitting a `removed` file event for each.
 * Returns how many were removed.
 */
export async function removeMissing(
  deps: ImportDeps,
  collectionId: number,
  roots: string[],
  emit: (e: ImportEvent) => void,
): Promise<number> {
  const folders = roots
    .map((r) => path.resolve(r))
    .filter((r) => fs.statSync(toFsPath(r), { throwIfNoEntry: false })?.isDirectory())
    // Compared as bytes: a path is escaped as a whole (raw-path.ts), so a folder's string form need
    // not be a prefix of the string form of a file inside it.
    .map((r) => fsPathBytes(r.endsWith(path.sep) ? r : r + path.sep));
  if (!folders.length) return 0;
  // Documents inside other files (a mailbox's messages) have no file of their own: they go with
  // their container (deleteDocument), or when it no longer holds them (the import prunes them).
  const rows = await deps.db.query<{ id: number; source_path: string }>(
    "SELECT id, source_path FROM documents WHERE collection_id = $1 AND NOT metadata ? 'container'",
    [collectionId],
  );
  let removed = 0;
  for (const row of rows) {
    const file = fsPathBytes(row.source_path);
    const inside = folders.some((f) => file.subarray(0, f.length).equals(f));
    if (!inside || fs.existsSync(file)) continue;
    try {
      await deleteDocument(deps.db, deps.vectors, Number(row.id));
    } catch {
      continue; // gone already, with the file that held it
    }
    emit({ type: 'file', path: row.source_path, outcome: 'removed', chunks: 0 });
    removed++;
  }
  return removed;
}
