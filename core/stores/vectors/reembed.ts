import { ensureVecTable, vecTableName } from './schema.ts';
import { f32Blob, normalizeL2 } from './quantize.ts';
import { withContext } from './context.ts';
import type { VectorStore } from './types.ts';

/**
 * Re-embedding a collection with another embedder, in SQLite: new vectors are staged beside the
 * old ones (search keeps using the old until the end; a crash resumes where it stopped), then
 * swapped in one transaction that also moves the coarse-pass bits to the new dimension's table.
 */
export interface ChunkText {
  id: number;
  text: string;
}

/** Chunks of the collection not yet staged, in id order, a page at a time. */
export function unstagedChunks(
  store: VectorStore,
  collectionId: number,
  afterId: number,
  limit: number,
): ChunkText[] {
  return withContext(
    store,
    ({ db }) =>
      db
        .prepare(
          `SELECT c.id, c.text FROM chunks c LEFT JOIN reembed_staging s ON s.chunk_id = c.id
           WHERE c.collection_id = ? AND c.id > ? AND s.chunk_id IS NULL ORDER BY c.id LIMIT ?`,
        )
        .all(collectionId, afterId, limit) as ChunkText[],
  );
}

export function stagingCounts(store: VectorStore, collectionId: number): { staged: number; total: number } {
  return withContext(
    store,
    ({ db }) =>
      db
        .prepare(
          `SELECT (SELECT count(*) FROM reembed_staging WHERE collection_id = ?) AS staged,
                  (SELECT count(*) FROM chunks WHERE collection_id = ?) AS total`,
        )
        .get(collectionId, collectionId) as { staged: number; total: number },
  );
}

export function stageEmbeddings(
  store: VectorStore,
  collectionId: number,
  dim: number,
  rows: { id: number; embedding: Float32Array }[],
): void {
  withContext(store, ({ db }) => {
    const insert = db.prepare(
      'INSERT OR REPLACE INTO reembed_staging (chunk_id, collection_id, embedding) VALUES (?, ?, ?)',
    );
    db.transaction(() => {
      for (const r of rows) {
        if (r.embedding.length !== dim)
          throw new RangeError(`embedding has ${r.embedding.length} dimensions, expected ${dim}`);
        insert.run(r.id, collectionId, f32Blob(normalizeL2(r.embedding)));
      }
    })();
  });
}

/** Drops staged vectors (a re-embed abandoned, or staged for another embedder). */
export function clearStaging(store: VectorStore, collectionId: number): void {
  withContext(store, ({ db }) =>
    db.prepare('DELETE FROM reembed_staging WHERE collection_id = ?').run(collectionId),
  );
}

export function collectionEmbedderId(store: VectorStore, collectionId: number): string | null {
  const row = withContext(
    store,
    ({ db }) =>
      db.prepare('SELECT embedder_id FROM collection_dims WHERE collection_id = ?').get(collectionId) as
        { embedder_id: string | null } | undefined,
  );
  return row?.embedder_id ?? null;
}

export function setCollectionEmbedderId(store: VectorStore, collectionId: number, embedderId: string): void {
  withContext(store, ({ db }) =>
    db
      .prepare('UPDATE collection_dims SET embedder_id = ? WHERE collection_id = ?')
      .run(embedderId, collectionId),
  );
}

/** Swaps the staged vectors in. Refuses unless every chunk of the collection has one. */
export function swapInStaged(
  store: VectorStore,
  collectionId: number,
  newDim: number,
  embedderId: string,
): void {
  const oldDim = store.collectionDim(collectionId);
  if (oldDim === null) throw new Error(`collection ${collectionId} has no vectors to replace`);
  withContext(store, ({ db }) => {
    ensureVecTable(db, newDim); // DDL first: a virtual table is not created inside the swap
    db.transaction(() => {
      const { staged, total } = stagingCounts(store, collectionId);
      if (staged !== total) throw new Error(`only ${staged} of ${total} chunks have new embeddings`);
      const big = BigInt(collectionId);
      db.prepare(`DELETE FROM ${vecTableName(oldDim)} WHERE collection_id = ?`).run(big);
      db.prepare('UPDATE collection_dims SET dim = ?, embedder_id = ? WHERE collection_id = ?').run(
        newDim,
        embedderId,
        collectionId,
      );
      db.prepare(
        `UPDATE chunk_vectors SET embedding = s.embedding FROM reembed_staging s
         WHERE s.chunk_id = chunk_vectors.chunk_id AND s.collection_id = ?`,
      ).run(collectionId);
      const insertBits = db.prepare(
        `INSERT INTO ${vecTableName(newDim)} (chunk_id, collection_id, bits) VALUES (?, ?, vec_quantize_binary(vec_f32(?)))`,
      );
      // Paged, since the connection cannot run the inserts while an iterator is open.
      const page = db.prepare(
        'SELECT chunk_id, embedding FROM reembed_staging WHERE collection_id = ? AND chunk_id > ? ORDER BY chunk_id LIMIT 2000',
      );
      for (let after = 0; ;) {
        const rows = page.all(collectionId, after) as { chunk_id: number; embedding: Buffer }[];
        if (!rows.length) break;
        for (const r of rows) insertBits.run(BigInt(r.chunk_id), big, r.embedding);
        after = rows.at(-1)!.chunk_id;
      }
      clearStaging(store, collectionId);
    })();
  });
}
