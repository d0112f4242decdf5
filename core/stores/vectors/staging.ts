/**
 * Writing a document in parts. A large document's chunks arrive a few hundred at a time; each part
 * is written in a short transaction of its own into `staged_chunks`, under the id of this import
 * of the document (`staged_documents`). No search reads those tables: FTS5, vec0 and the code
 * index only ever see `chunks`. When the last part is in, one transaction swaps the staged version
 * in (the old chunks out), so a search sees the old version or the new one, never half of either;
 * memory stays that of one part however long the document is.
 */
import { randomInt } from 'node:crypto';
import { PustakaError } from '../../base/errors.ts';
import { f32Blob } from './quantize.ts';
import { vecTableName } from './schema.ts';
import { assertId, type StoreContext } from './context.ts';
import { checkedUnit, requireDim } from './write.ts';
import type { ChunkInput } from './types.ts';

export interface Staging {
  beginStagedDocument(collectionId: number, documentId: number): number;
  stageChunks(stageId: number, chunks: ChunkInput[]): void;
  commitStagedDocument(stageId: number, expectedChunks?: number, title?: string): number;
  discardStaged(stageId?: number): number;
  stagedChunkCount(stageId?: number): number;
}

/** The error of a staging that no longer exists: the document must be read again from its start. */
export function isStagingGone(err: unknown): boolean {
  return err instanceof PustakaError && err.details?.staging === 'gone';
}

interface StagedDocument {
  collection_id: number;
  document_id: number;
}

function stagedDocument({ stmt }: StoreContext, stageId: number): StagedDocument {
  const row = stmt('SELECT collection_id, document_id FROM staged_documents WHERE id = ?').get(stageId) as
    StagedDocument | undefined;
  if (!row) {
    throw new PustakaError(
      'conflict',
      `staged document ${stageId} is gone (discarded, its collection dropped, or collections.db replaced); read the document again`,
      { stageId, staging: 'gone' },
    );
  }
  return row;
}

type DimOf = (collectionId: number) => number;

function discardOne({ stmt }: StoreContext, stageId: number): number {
  const n = stmt('DELETE FROM staged_chunks WHERE stage_id = ?').run(stageId).changes;
  stmt('DELETE FROM staged_documents WHERE id = ?').run(stageId);
  return n;
}

/**
 * The commit, inside its transaction. Everything is SQL over the staged rows: no part of the
 * document passes through JS, however long it is.
 */
function commitStaged(
  ctx: StoreContext,
  dimOf: DimOf,
  stageId: number,
  expected: number | undefined,
  title: string,
): number {
  const { stmt } = ctx;
  const { collection_id: collectionId, document_id: documentId } = stagedDocument(ctx, stageId);
  const dim = dimOf(collectionId);
  const { n, wrong } = stmt(
    `SELECT count(*) AS n, coalesce(sum(length(embedding) <> ?), 0) AS wrong
       FROM staged_chunks WHERE stage_id = ?`,
  ).get(dim * 4, stageId) as { n: number; wrong: number };
  if (expected !== undefined && n !== expected) {
    throw new Error(
      `document ${documentId}: ${n} of its ${expected} chunks were staged; nothing was changed`,
    );
  }
  if (wrong > 0) {
    throw new Error(
      `document ${documentId}: ${wrong} staged chunks are not ${dim}-dimensional (collection ${collectionId} changed its embedder); nothing was changed`,
    );
  }
  // The old version out: FTS rows and bits by trigger, float vectors by cascade.
  stmt('DELETE FROM chunks WHERE document_id = ?').run(documentId);
  stmt(
    `INSERT INTO chunks (collection_id, document_id, ordinal, text, heading_path, page, char_start, char_end, token_count, title)
     SELECT ?, ?, ordinal, text, heading_path, page, char_start, char_end, token_count, ?
       FROM staged_chunks WHERE stage_id = ? ORDER BY ordinal`,
  ).run(collectionId, documentId, title, stageId);
  stmt('DELETE FROM titles_pending WHERE document_id = ?').run(documentId);
  stmt(
    `INSERT INTO chunk_vectors (chunk_id, embedding)
     SELECT c.id, s.embedding FROM staged_chunks s JOIN chunks c ON c.document_id = ? AND c.ordinal = s.ordinal
      WHERE s.stage_id = ?`,
  ).run(documentId, stageId);
  stmt(
    `INSERT INTO ${vecTableName(dim)} (chunk_id, collection_id, bits)
     SELECT c.id, c.collection_id, vec_quantize_binary(vec_f32(v.embedding))
       FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id WHERE c.document_id = ?`,
  ).run(documentId);
  discardOne(ctx, stageId);
  return n;
}

export function createStaging(
  ctx: StoreContext,
  collectionDim: (collectionId: number) => number | null,
): Staging {
  const { db, stmt } = ctx;
  const dimOf: DimOf = (collectionId) => requireDim(collectionDim, collectionId);

  const beginTx = db.transaction((collectionId: number, documentId: number): number => {
    dimOf(collectionId);
    const insert = stmt(
      'INSERT OR IGNORE INTO staged_documents (id, collection_id, document_id) VALUES (?, ?, ?)',
    );
    for (;;) {
      const id = randomInt(1, 2 ** 47);
      if (insert.run(id, collectionId, documentId).changes === 1) return id;
    }
  });

  const stageTx = db.transaction((stageId: number, chunks: ChunkInput[]) => {
    const { collection_id: collectionId } = stagedDocument(ctx, stageId);
    const dim = dimOf(collectionId);
    const insert = stmt(
      `INSERT INTO staged_chunks (stage_id, ordinal, text, heading_path, page, char_start, char_end, token_count, embedding)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      const unit = checkedUnit(c, i, collectionId, dim);
      insert.run(
        stageId,
        c.ordinal,
        c.text,
        JSON.stringify(c.headingPath ?? []),
        c.page,
        c.charStart,
        c.charEnd,
        c.tokenCount,
        f32Blob(unit),
      );
    }
  });

  const commitTx = db.transaction((stageId: number, expected: number | undefined, title: string) =>
    commitStaged(ctx, dimOf, stageId, expected, title),
  );

  const discardTx = db.transaction((stageId: number | undefined): number => {
    if (stageId !== undefined) return discardOne(ctx, stageId);
    const n = stmt('DELETE FROM staged_chunks').run().changes;
    stmt('DELETE FROM staged_documents').run();
    return n;
  });

  return {
    beginStagedDocument(collectionId, documentId) {
      assertId('collectionId', collectionId);
      assertId('documentId', documentId);
      return beginTx.immediate(collectionId, documentId);
    },
    stageChunks(stageId, chunks) {
      assertId('stageId', stageId);
      if (!Array.isArray(chunks)) throw new TypeError('chunks must be an array');
      stageTx.immediate(stageId, chunks);
    },
    commitStagedDocument(stageId, expectedChunks, title = '') {
      assertId('stageId', stageId);
      if (expectedChunks !== undefined) assertId('expectedChunks', expectedChunks);
      if (typeof title !== 'string') throw new TypeError('title must be a string');
      return commitTx.immediate(stageId, expectedChunks, title);
    },
    discardStaged(stageId) {
      if (stageId !== undefined) assertId('stageId', stageId);
      return discardTx.immediate(stageId);
    },
    stagedChunkCount(stageId) {
      if (stageId === undefined)
        return (stmt('SELECT count(*) AS n FROM staged_chunks').get() as { n: number }).n;
      assertId('stageId', stageId);
      return (
        stmt('SELECT count(*) AS n FROM staged_chunks WHERE stage_id = ?').get(stageId) as { n: number }
      ).n;
    },
  };
}
