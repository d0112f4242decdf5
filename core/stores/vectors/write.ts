/** Writing chunks: a document's chunks replaced or deleted, each in one transaction. */
import { f32Blob, normalizeL2 } from './quantize.ts';
import { vecTableName } from './schema.ts';
import { assertId, assertIntOrNull, type StoreContext } from './context.ts';
import type { ChunkInput } from './types.ts';

export interface Writer {
  replaceDocumentChunks(collectionId: number, documentId: number, chunks: ChunkInput[]): number[];
  documentsAwaitingTitles(): number[];
  setDocumentTitles(titles: { documentId: number; title: string }[]): number;
  deleteDocumentChunks(documentId: number): number;
}

/** The unit vector of chunk `i`, after checking every field of it; throws on bad input. */
export function checkedUnit(c: ChunkInput, i: number, collectionId: number, dim: number): Float32Array {
  if (!(c.embedding instanceof Float32Array))
    throw new TypeError(`chunk ${i}: embedding must be a Float32Array`);
  if (c.embedding.length !== dim) {
    throw new RangeError(
      `chunk ${i}: embedding has ${c.embedding.length} dimensions, collection ${collectionId} uses ${dim}`,
    );
  }
  let unit: Float32Array;
  try {
    unit = normalizeL2(c.embedding);
  } catch (err) {
    throw new RangeError(`chunk ${i}: ${(err as Error).message}`);
  }
  if (typeof c.text !== 'string') throw new TypeError(`chunk ${i}: text must be a string`);
  assertId(`chunk ${i}: ordinal`, c.ordinal);
  assertIntOrNull(`chunk ${i}: page`, c.page);
  assertIntOrNull(`chunk ${i}: charStart`, c.charStart);
  assertIntOrNull(`chunk ${i}: charEnd`, c.charEnd);
  assertIntOrNull(`chunk ${i}: tokenCount`, c.tokenCount);
  return unit;
}

/** Inserts the chunks (row, float vector, coarse-pass bits); returns their ids in input order. */
function insertChunks(
  { stmt }: StoreContext,
  collectionId: number,
  documentId: number,
  dim: number,
  chunks: ChunkInput[],
): number[] {
  const insertChunk = stmt(
    `INSERT INTO chunks (collection_id, document_id, ordinal, text, heading_path, page, char_start, char_end, token_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertVector = stmt('INSERT INTO chunk_vectors (chunk_id, embedding) VALUES (?, ?)');
  const insertBits = stmt(
    `INSERT INTO ${vecTableName(dim)} (chunk_id, collection_id, bits) VALUES (?, ?, vec_quantize_binary(vec_f32(?)))`,
  );
  const collectionBig = BigInt(collectionId);
  const ids: number[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i]!;
    const unit = checkedUnit(c, i, collectionId, dim);
    const info = insertChunk.run(
      collectionId,
      documentId,
      c.ordinal,
      c.text,
      JSON.stringify(c.headingPath ?? []),
      c.page,
      c.charStart,
      c.charEnd,
      c.tokenCount,
    );
    const id = Number(info.lastInsertRowid);
    const blob = f32Blob(unit);
    insertVector.run(id, blob);
    insertBits.run(BigInt(id), collectionBig, blob);
    ids.push(id);
  }
  return ids;
}

/** The collection's embedding dimension; a collection the store has not been told of is a bug. */
export function requireDim(
  collectionDim: (collectionId: number) => number | null,
  collectionId: number,
): number {
  const dim = collectionDim(collectionId);
  if (dim === null) {
    throw new Error(`collection ${collectionId} has no embedding dimension; call ensureCollection first`);
  }
  return dim;
}

export function createWriter(
  ctx: StoreContext,
  collectionDim: (collectionId: number) => number | null,
): Writer {
  const { db, stmt } = ctx;
  const replaceTx = db.transaction(
    (collectionId: number, documentId: number, chunks: ChunkInput[]): number[] => {
      const dim = requireDim(collectionDim, collectionId);
      stmt('DELETE FROM chunks WHERE document_id = ?').run(documentId);
      // No title comes this way (a collection restored from a backup): filled in from Postgres by
      // the start-up reconcile.
      stmt('INSERT OR IGNORE INTO titles_pending (document_id) VALUES (?)').run(documentId);
      return insertChunks(ctx, collectionId, documentId, dim, chunks);
    },
  );
  const deleteDocumentTx = db.transaction(
    (documentId: number): number => stmt('DELETE FROM chunks WHERE document_id = ?').run(documentId).changes,
  );
  const setTitlesTx = db.transaction((titles: { documentId: number; title: string }[]): number => {
    let documents = 0;
    for (const { documentId, title } of titles) {
      const set = stmt('UPDATE chunks SET title = ? WHERE document_id = ? AND title <> ?').run(
        title,
        documentId,
        title,
      );
      if (set.changes > 0) documents++;
      stmt('DELETE FROM titles_pending WHERE document_id = ?').run(documentId);
    }
    return documents;
  });
  return {
    documentsAwaitingTitles: () =>
      stmt('SELECT document_id FROM titles_pending ORDER BY document_id').pluck().all() as number[],
    setDocumentTitles(titles) {
      for (const t of titles) {
        assertId('documentId', t.documentId);
        if (typeof t.title !== 'string') throw new TypeError('title must be a string');
      }
      return setTitlesTx.immediate(titles);
    },
    replaceDocumentChunks(collectionId, documentId, chunks) {
      assertId('collectionId', collectionId);
      assertId('documentId', documentId);
      if (!Array.isArray(chunks)) throw new TypeError('chunks must be an array');
      return replaceTx.immediate(collectionId, documentId, chunks);
    },
    deleteDocumentChunks(documentId) {
      assertId('documentId', documentId);
      return deleteDocumentTx.immediate(documentId);
    },
  };
}
