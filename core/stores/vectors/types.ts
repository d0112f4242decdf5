/**
 * The public shapes of the vector store (re-exported by store.ts, which composes the modules that
 * implement them).
 */
import type { IntegrityTaskOutput } from './integrity.ts';

export interface ChunkInput {
  ordinal: number;
  text: string;
  headingPath: string[];
  page: number | null;
  charStart: number;
  charEnd: number;
  tokenCount: number;
  embedding: Float32Array;
}

export interface ChunkRow {
  id: number;
  collectionId: number;
  documentId: number;
  ordinal: number;
  text: string;
  headingPath: string[];
  page: number | null;
  charStart: number;
  charEnd: number;
  tokenCount: number;
}

/** One chunk of a collection with its stored vector, as read for a collection export. */
export type ChunkExportRow = ChunkRow & { embedding: Buffer | null };

/** L2 distance between unit vectors (0..2; 0 = same direction). */
export interface VectorHit {
  chunkId: number;
  distance: number;
}

/** Higher is better (negated FTS5 bm25). */
export interface KeywordHit {
  chunkId: number;
  score: number;
}

export interface KnnOptions {
  /** Size of the binary coarse candidate set (default max(10·k, 200), capped at 4096). */
  candidates?: number;
  /** Force exact brute force over the collection's float vectors. */
  exact?: boolean;
  /** Only chunks of these documents, searched exactly (for narrow filters; keep the list small). */
  documentIds?: number[];
}

export interface KeywordOptions {
  /** Only chunks of these documents. */
  documentIds?: number[];
  /**
   * Most postings (Σ document frequency of the terms searched) one query may score. Terms are
   * kept rarest first while they fit, common ones (COMMON_TERM_SHARE) are left out, and the
   * rarest is always kept. Common terms add little to BM25 (small IDF) but cost time in
   * proportion to their frequency: this keeps a query over 1M chunks in tens of milliseconds.
   */
  postingsBudget?: number;
}

export interface VectorStore {
  readonly path: string;
  schemaVersion(): number;
  /** Idempotent; throws if the collection is already registered with another dimension. */
  ensureCollection(collectionId: number, dim: number): void;
  collectionDim(collectionId: number): number | null;
  /** Collections registered here (for the start-up reconciler), ascending. */
  collectionIds(): number[];
  /**
   * A string that changes whenever a collection is registered, dropped or re-embedded (the whole
   * dimension registry, serialized): lets callers cache per-collection data.
   */
  registryFingerprint(): string;
  /** Removes chunks, vectors, bits, FTS rows and the dimension row; returns chunks removed. */
  dropCollection(collectionId: number): number;
  /**
   * One transaction: delete the document's old chunks, insert the new ones; returns the new chunk
   * ids in input order. Every embedding must have the collection's dimension and finite values
   * (they are stored normalized). On any error nothing changes.
   */
  replaceDocumentChunks(collectionId: number, documentId: number, chunks: ChunkInput[]): number[];
  deleteDocumentChunks(documentId: number): number;
  /**
   * Starts writing a new version of a document in parts (see staging.ts): returns the id its parts
   * are staged under. Nothing staged is seen by any search until `commitStagedDocument`.
   */
  beginStagedDocument(collectionId: number, documentId: number): number;
  /** Writes one part (its own short transaction), checked like `replaceDocumentChunks`. */
  stageChunks(stageId: number, chunks: ChunkInput[]): void;
  /**
   * One transaction: the staged chunks replace the document's visible ones (FTS, vectors and bits
   * included) and the staging is emptied; returns how many chunks the document now has. With
   * `expectedChunks`, refuses (changing nothing) unless exactly that many were staged.
   */
  commitStagedDocument(stageId: number, expectedChunks?: number, title?: string): number;
  /**
   * Documents whose chunks lack the document's title in the keyword index: indexed before titles
   * were (schema 5), or written by `replaceDocumentChunks`, which is given none.
   */
  documentsAwaitingTitles(): number[];
  /**
   * Sets the title of each document's chunks (re-indexed by trigger) and clears it from the above;
   * returns how many documents had chunks to change.
   */
  setDocumentTitles(titles: { documentId: number; title: string }[]): number;
  /** Drops one staged version, or every one (start-up: what a crash left); returns chunks dropped. */
  discardStaged(stageId?: number): number;
  /** Chunks staged under `stageId`, or under any. */
  stagedChunkCount(stageId?: number): number;
  countChunks(collectionId?: number): number;
  /** Distinct document ids that have chunks (for the start-up reconciler), ascending. */
  documentIds(collectionId?: number): number[];
  /** Whether a chunk with this id exists (ids are never reused). */
  hasChunk(id: number): boolean;
  /** Rows in the order asked; unknown ids are skipped. */
  getChunks(ids: number[]): ChunkRow[];
  /** Ordered by ordinal. */
  documentChunks(documentId: number): ChunkRow[];
  /** chunk id → document id; unknown ids are absent. */
  documentsOfChunks(ids: number[]): Map<number, number>;
  /**
   * Every chunk of the collection with its vector, ordered by document and ordinal, read lazily
   * (iterate synchronously: no write can land between the first and the last row).
   */
  collectionExportRows(collectionId: number): IterableIterator<ChunkExportRow>;
  knn(collectionId: number, query: Float32Array, k: number, opts?: KnnOptions): VectorHit[];
  keywordSearch(collectionIds: number[], text: string, k: number, opts?: KeywordOptions): KeywordHit[];
  /** Stored (normalized) vectors by chunk id; unknown ids are absent. */
  getVectors(ids: number[]): Map<number, Float32Array>;
  /** `PRAGMA wal_checkpoint(TRUNCATE)` — after large imports and in nightly maintenance. */
  checkpoint(): void;
  /** Merges the FTS5 index's segments (nightly maintenance). */
  optimizeKeywordIndex(): void;
  /** `PRAGMA quick_check`: 'ok', or the first problem found. */
  quickCheck(): string;
  /** An online copy of the database file to `destination` (SQLite's backup API). */
  backup(destination: string): Promise<void>;
  fileSizes(): { db: number; wal: number };
  /** Versions of the SQLite library and the sqlite-vec extension in use. */
  versions(): { sqlite: string; sqliteVec: string };
  /**
   * `PRAGMA quick_check` of the file in a worker thread (reads every page without blocking the
   * caller); a problem found is reported to the `onDamage` listeners.
   */
  verifyFile(opts?: { signal?: AbortSignal }): Promise<IntegrityTaskOutput>;
  /**
   * Calls `listener` when an operation finds the file damaged (SQLITE_CORRUPT, SQLITE_NOTADB, a
   * failed `verifyFile`). While a listener is registered such an operation throws
   * `index_rebuilding` instead of SQLite's error. Returns the unsubscribe function.
   */
  onDamage(listener: (cause: unknown) => void): () => void;
  /**
   * Closes the file, lets `moveAside` move it (with its -wal and -shm) and opens an empty store
   * at the same path under this same object; the new file has no collections registered.
   */
  reset(moveAside: () => void): void;
  close(): void;
}
