import fs from 'node:fs';
import path from 'node:path';
import type { Db, Queryable } from '../../stores/pg/pg-store.ts';
import { recordAudit } from '../../stores/audit/audit.ts';
import { sameDir } from '../../base/owned-file.ts';
import { isModelName } from './model-location.ts';
import { embedderIdOf } from './models.ts';

interface StoredModel {
  id: number;
  path: string;
  linked: boolean;
  size_bytes: number | string;
}

/**
 * The name in this folder's `models/` a row stands for: its own name; a legacy absolute path into
 * this very folder; or — for a copied data folder, or a backup restored into another one, whose
 * rows point into the original's `models/` — the file of the same name and size here, which is
 * the copy of that file. Null: the row names a file elsewhere (a linked one, or one this folder
 * has no copy of), which stays as it is and is never deleted.
 */
export function ownModelName(row: StoredModel, modelsDir: string): string | null {
  if (isModelName(row.path)) return row.path;
  if (!path.isAbsolute(row.path)) return null;
  const name = path.basename(row.path);
  if (!isModelName(name)) return null;
  if (sameDir(path.dirname(row.path), modelsDir)) return name;
  if (row.linked || path.basename(path.dirname(row.path)) !== 'models') return null;
  const here = fs.statSync(path.join(modelsDir, name), { throwIfNoEntry: false });
  return here?.isFile() && here.size === Number(row.size_bytes) ? name : null;
}

/**
 * Brings the registry in line with the data folder it sits in, at engine open (a few rows): rows
 * holding absolute paths into a `models/` folder (written before rows stored names, or brought by
 * a copy or a restore) become names, and so do the collections' `embedderModel` references to
 * them. Each change is recorded in the audit trail. Returns how many references changed.
 */
export async function adoptModelFiles(db: Db, modelsDir: string): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<StoredModel & { sha256: string }>(
      'SELECT id, path, linked, size_bytes, sha256 FROM models ORDER BY id',
    );
    const taken = new Set(rows.filter((r) => isModelName(r.path)).map((r) => r.path));
    const renamed = new Map<string, string>();
    for (const r of rows) {
      if (isModelName(r.path)) continue;
      const name = ownModelName(r, modelsDir);
      // Two rows never share a file: a name already held stays with its row.
      if (name === null || taken.has(name)) continue;
      taken.add(name);
      renamed.set(r.path, name);
      await tx.query('UPDATE models SET path = $2, updated_at = updated_at WHERE id = $1', [r.id, name]);
      await adoptionAudit(tx, 'model', Number(r.id), r.path, name);
    }
    const current = rows.map((r) => ({ path: renamed.get(r.path) ?? r.path, sha256: r.sha256 }));
    return renamed.size + (await adoptCollectionReferences(tx, modelsDir, renamed, current));
  });
}

/**
 * A collection's model reference, when absolute: the new name of the row it named, the name of a
 * file in this folder's `models/`, or the name of this folder's row for the same model (by content:
 * the collection's embedder id) when the file has the same name.
 */
async function adoptCollectionReferences(
  tx: Queryable,
  modelsDir: string,
  renamed: ReadonlyMap<string, string>,
  models: readonly { path: string; sha256: string }[],
): Promise<number> {
  const rows = await tx.query<{ id: number; embedder_id: string; model: string }>(
    `SELECT id, embedder_id, settings->>'embedderModel' AS model FROM collections
     WHERE settings->>'embedderModel' IS NOT NULL ORDER BY id`,
  );
  let changed = 0;
  for (const c of rows) {
    if (isModelName(c.model) || !path.isAbsolute(c.model)) continue;
    const base = path.basename(c.model);
    const sameModel = models.some((m) => m.path === base && embedderIdOf(m.sha256) === c.embedder_id);
    const name =
      renamed.get(c.model) ??
      (isModelName(base) && (sameDir(path.dirname(c.model), modelsDir) || sameModel) ? base : null);
    if (name === null) continue;
    await tx.query(
      `UPDATE collections SET settings = settings || jsonb_build_object('embedderModel', $2::text),
              updated_at = updated_at WHERE id = $1`,
      [c.id, name],
    );
    await adoptionAudit(tx, 'collection', Number(c.id), c.model, name);
    changed++;
  }
  return changed;
}

function adoptionAudit(tx: Queryable, targetType: string, id: number, from: string, to: string) {
  return recordAudit(tx, {
    action: 'model.adopt',
    targetType,
    targetId: id,
    details: { from, to, why: 'a model file of this data folder is referred to by its name in models/' },
    actor: 'system',
  });
}
