/**
 * collections.db — the derived store: chunks, normalized float vectors, binary vectors (coarse
 * pass) and an FTS5 keyword index. PGlite is the source of truth for which documents exist; this
 * file can always be rebuilt from the documents.
 *
 * Layout (see schema.ts):
 * - `chunks`            plain table, one row per chunk (AUTOINCREMENT ids, never reused)
 * - `chunk_vectors`     normalized float32 embedding per chunk (exact rescoring / brute force);
 *                       removed with its chunk by ON DELETE CASCADE
 * - `vec_bits_<dim>`    vec0 table per embedding dimension, partitioned by collection, holding
 *                       `vec_quantize_binary` of the vector; removed by a per-dimension trigger
 * - `chunks_fts`        FTS5 external-content index over (text, heading_path), kept in sync by triggers
 * - `collection_dims`   which dimension (and so which vec table) a collection uses
 *
 * Everything is synchronous (better-sqlite3). Integers bound to vec0 columns are BigInt: sqlite-vec
 * rejects JS numbers there because better-sqlite3 binds them as REAL.
 */
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { loadSqliteVec } from './extension-path.ts';
import { migrate, readSchemaVersion } from './schema.ts';
import { assertId, contextOf, createContext, registerContext, type StoreContext } from './context.ts';
import * as chunks from './chunks.ts';
import { createCollections } from './collections.ts';
import { createWriter } from './write.ts';
import { createCodeIndexCache } from './code-index.ts';
import { knn } from './knn.ts';
import { createKeywordSearch } from './keyword.ts';
import * as maintenance from './maintenance.ts';
import type { VectorStore } from './types.ts';

export type {
  ChunkExportRow,
  ChunkInput,
  ChunkRow,
  KeywordHit,
  KeywordOptions,
  KnnOptions,
  VectorHit,
  VectorStore,
} from './types.ts';
export { EXACT_SEARCH_MAX_CHUNKS, VEC0_MAX_K } from './knn.ts';
export { COMMON_TERM_MIN_DF, COMMON_TERM_SHARE, FTS_POSTINGS_BUDGET } from './keyword.ts';
export { HAMMING_PRESELECT_FACTOR } from './code-index.ts';
export const BUSY_TIMEOUT_MS = 5000;

/** Opens the file with sqlite-vec loaded, migrated, in WAL mode; closes it again on any error. */
function openDatabase(path: string): BetterSqlite3.Database {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    loadSqliteVec(db); // from app.asar.unpacked inside a packaged app
    // Check the version before changing anything in the file (journal mode included).
    migrate(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The façade: each concern lives in its own module over the shared context. */
function composeStore(ctx: StoreContext): VectorStore {
  const collections = createCollections(ctx);
  const writer = createWriter(ctx, collections.collectionDim);
  const codeIndexes = createCodeIndexCache(ctx);
  const keyword = createKeywordSearch(ctx, collections.collectionIds);
  let closed = false;
  return {
    path: ctx.path,
    schemaVersion: () => readSchemaVersion(ctx.db),
    ensureCollection: collections.ensureCollection,
    collectionDim: collections.collectionDim,
    collectionIds: collections.collectionIds,
    registryFingerprint: collections.registryFingerprint,
    dropCollection(collectionId) {
      assertId('collectionId', collectionId);
      codeIndexes.delete(collectionId);
      return collections.dropCollection(collectionId);
    },
    replaceDocumentChunks: writer.replaceDocumentChunks,
    deleteDocumentChunks: writer.deleteDocumentChunks,
    countChunks: (collectionId) => chunks.countChunks(ctx, collectionId),
    documentIds: (collectionId) => chunks.documentIds(ctx, collectionId),
    hasChunk: (id) => chunks.hasChunk(ctx, id),
    getChunks: (ids) => chunks.getChunks(ctx, ids),
    documentChunks: (documentId) => chunks.documentChunks(ctx, documentId),
    documentsOfChunks: (ids) => chunks.documentsOfChunks(ctx, ids),
    collectionExportRows: (collectionId) => chunks.collectionExportRows(ctx, collectionId),
    knn(collectionId, query, k, opts) {
      assertId('collectionId', collectionId);
      return knn(ctx, codeIndexes, collections.collectionDim(collectionId), collectionId, query, k, opts);
    },
    keywordSearch: keyword.search,
    getVectors: (ids) => chunks.getVectors(ctx, ids),
    checkpoint: () => maintenance.checkpoint(ctx),
    optimizeKeywordIndex: () => maintenance.optimizeKeywordIndex(ctx),
    quickCheck: () => maintenance.quickCheck(ctx),
    backup: (destination) => maintenance.backup(ctx, destination),
    fileSizes: () => maintenance.fileSizes(ctx),
    versions: () => maintenance.versions(ctx),
    close() {
      if (closed) return;
      closed = true;
      ctx.clear();
      codeIndexes.clear();
      ctx.db.close();
    },
  };
}

export function openVectorStore(path: string): VectorStore {
  const ctx = createContext(openDatabase(path), path);
  const store = composeStore(ctx);
  registerContext(store, ctx);
  return store;
}

/**
 * The store's open database, for tests only (to inspect or damage the file directly). Production
 * code uses the store's methods, or a function in core/stores/vectors that takes the store.
 */
export function rawHandleForTests(store: VectorStore): BetterSqlite3.Database {
  return contextOf(store).db;
}
