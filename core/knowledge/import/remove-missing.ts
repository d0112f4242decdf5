import fs from 'node:fs';
import path from 'node:path';
import type { ImportEvent } from '../../contract/methods/imports.ts';
import { toFsPath } from '../../base/raw-path.ts';
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
    .filter((r) => fs.statSync(r, { throwIfNoEntry: false })?.isDirectory());
  if (!folders.length) return 0;
  const rows = await deps.db.query<{ id: number; source_path: string }>(
    'SELECT id, source_path FROM documents WHERE collection_id = $1',
    [collectionId],
  );
  let removed = 0;
  for (const row of rows) {
    const inside = folders.some((f) => row.source_path.startsWith(f + path.sep));
    if (!inside || fs.existsSync(toFsPath(row.source_path))) continue;
    await deleteDocument(deps.db, deps.vectors, Number(row.id));
    emit({ type: 'file', path: row.source_path, outcome: 'removed', chunks: 0 });
    removed++;
  }
  return removed;
}
