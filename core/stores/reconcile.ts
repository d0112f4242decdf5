import type { Queryable } from './pg/pg-store.ts';
import type { VectorStore } from './vectors/store.ts';

/**
 * PG says which documents exist; SQLite is derived. At start-up: drop SQLite collections PG no
 * longer has, delete chunks of documents that are not `indexed` (an import or delete cut short),
 * drop what imports cut short had staged (parts of a document never made visible), and flag
 * `indexed` documents whose chunks are missing so the importer re-queues them.
 */
export interface ReconcileReport {
  droppedCollections: number[];
  orphanDocuments: number[];
  missingChunks: number[];
  /** Documents whose title was added to the keyword index (indexed before it held titles). */
  titlesAdded: number;
}

/**
 * Titles of documents indexed before the keyword index held them (collections.db schema 5) or
 * restored without them: taken from Postgres, a batch at a time.
 */
export async function fillTitles(db: Queryable, vectors: VectorStore): Promise<number> {
  const pending = vectors.documentsAwaitingTitles();
  let added = 0;
  for (let i = 0; i < pending.length; i += 500) {
    const ids = pending.slice(i, i + 500);
    const rows = await db.query<{ id: number; title: string | null }>(
      'SELECT id, title FROM documents WHERE id = ANY($1::bigint[])',
      [ids],
    );
    const title = new Map(rows.map((r) => [Number(r.id), r.title ?? '']));
    // A document Postgres no longer has just leaves the list (its chunks go with the orphans).
    added += vectors.setDocumentTitles(
      ids.map((documentId) => ({ documentId, title: title.get(documentId) ?? '' })),
    );
  }
  return added;
}

/**
 * `dropOrphans: false` when an import may be running (a store replaced at run time): its chunks
 * are written before Postgres marks the document `indexed`, so they are not orphans.
 */
export async function reconcileStores(
  db: Queryable,
  vectors: VectorStore,
  opts: { dropOrphans?: boolean } = {},
): Promise<ReconcileReport> {
  const collections = new Set(
    (await db.query<{ id: number }>('SELECT id FROM collections')).map((r) => Number(r.id)),
  );
  const droppedCollections: number[] = [];
  for (const id of vectors.collectionIds()) {
    if (!collections.has(id) && opts.dropOrphans !== false) {
      vectors.dropCollection(id);
      droppedCollections.push(id);
    }
  }

  const indexedRows = await db.query<{ id: number; chunk_count: number }>(
    "SELECT id, chunk_count FROM documents WHERE status = 'indexed'",
  );
  const indexed = new Set(indexedRows.map((r) => Number(r.id)));
  const withChunks = new Set(vectors.documentIds());
  const orphanDocuments = opts.dropOrphans === false ? [] : [...withChunks].filter((id) => !indexed.has(id));
  for (const id of orphanDocuments) vectors.deleteDocumentChunks(id);
  // No import runs yet: whatever is staged was left by one that a crash or a quit cut short (its
  // document is re-queued by `import --resume`; an indexed one keeps its visible version).
  if (opts.dropOrphans !== false) vectors.discardStaged();

  // An empty file is legitimately `indexed` with zero chunks.
  const missingChunks = indexedRows
    .filter((r) => Number(r.chunk_count) > 0 && !withChunks.has(Number(r.id)))
    .map((r) => Number(r.id));
  if (missingChunks.length) {
    await db.query(
      "UPDATE documents SET status = 'pending', error = 'chunks missing from collections.db; re-import needed' WHERE id = ANY($1::bigint[])",
      [missingChunks],
    );
    // A document inside another file (a mailbox's message) is read again with that file: it must
    // not be taken for unchanged.
    await db.query(
      `UPDATE documents c SET status = 'pending', error = 'documents inside it need reading again; re-import needed'
        FROM documents m
       WHERE m.id = ANY($1::bigint[]) AND m.metadata ? 'container' AND c.collection_id = m.collection_id
         AND c.source_path = m.metadata->>'container' AND c.status = 'indexed'`,
      [missingChunks],
    );
  }
  const titlesAdded = await fillTitles(db, vectors);
  return { droppedCollections, orphanDocuments, missingChunks, titlesAdded };
}
