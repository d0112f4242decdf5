/** The collection registry: which embedding dimension (and so which vec0 table) each collection uses. */
import { assertValidDim, ensureVecTable, vecTableName } from './schema.ts';
import { assertId, type StoreContext } from './context.ts';

export interface Collections {
  collectionDim(collectionId: number): number | null;
  ensureCollection(collectionId: number, dim: number): void;
  collectionIds(): number[];
  registryFingerprint(): string;
  /** Without the id check and code-index invalidation (the façade does both). */
  dropCollection(collectionId: number): number;
}

export function createCollections(ctx: StoreContext): Collections {
  const { db, stmt } = ctx;

  function collectionDim(collectionId: number): number | null {
    assertId('collectionId', collectionId);
    const row = stmt('SELECT dim FROM collection_dims WHERE collection_id = ?').get(collectionId) as
      { dim: number } | undefined;
    return row ? row.dim : null;
  }

  const ensureCollectionTx = db.transaction((collectionId: number, dim: number) => {
    const existing = collectionDim(collectionId);
    if (existing !== null) {
      if (existing !== dim) {
        throw new Error(
          `collection ${collectionId} already uses ${existing}-dimensional embeddings, not ${dim}; drop it before re-embedding`,
        );
      }
      return;
    }
    ensureVecTable(db, dim);
    stmt('INSERT INTO collection_dims (collection_id, dim) VALUES (?, ?)').run(collectionId, dim);
  });

  const dropCollectionTx = db.transaction((collectionId: number): number => {
    const dim = collectionDim(collectionId);
    if (dim !== null) {
      // Bulk-remove the binary vectors by partition, then unregister the dimension so the per-row
      // delete trigger on chunks no longer fires for this collection.
      stmt(`DELETE FROM ${vecTableName(dim)} WHERE collection_id = ?`).run(BigInt(collectionId));
      stmt('DELETE FROM collection_dims WHERE collection_id = ?').run(collectionId);
    }
    // What an import was writing into it goes too.
    stmt(
      'DELETE FROM staged_chunks WHERE stage_id IN (SELECT id FROM staged_documents WHERE collection_id = ?)',
    ).run(collectionId);
    stmt('DELETE FROM staged_documents WHERE collection_id = ?').run(collectionId);
    // FTS rows go through the chunks_fts_ad trigger, float vectors through ON DELETE CASCADE.
    return stmt('DELETE FROM chunks WHERE collection_id = ?').run(collectionId).changes;
  });

  return {
    collectionDim,
    ensureCollection(collectionId, dim) {
      assertId('collectionId', collectionId);
      assertValidDim(dim);
      ensureCollectionTx.immediate(collectionId, dim);
    },
    collectionIds() {
      return stmt('SELECT collection_id FROM collection_dims ORDER BY collection_id')
        .pluck()
        .all() as number[];
    },
    registryFingerprint() {
      return JSON.stringify(stmt('SELECT * FROM collection_dims ORDER BY 1').raw().all());
    },
    dropCollection: (collectionId) => dropCollectionTx.immediate(collectionId),
  };
}
