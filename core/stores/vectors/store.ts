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
 * - `staged_documents`, `staged_chunks`
 *                       a document's next version while it is written in parts (staging.ts);
 *                       read by no search
 *
 * Everything is synchronous (better-sqlite3). Integers bound to vec0 columns are BigInt: sqlite-vec
 * rejects JS numbers there because better-sqlite3 binds them as REAL.
 */
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { loadSqliteVec } from './extension-path.ts';
import { migrate, readSchemaVersion } from './schema.ts';
import { assertId, contextOf, createContext, registerStore, type StoreContext } from './context.ts';
import { indexRebuildingError, isSqliteDamage } from '../store-damage.ts';
import { checkFileInWorker, headerProblem } from './integrity.ts';
import * as chunks from './chunks.ts';
import { createCollections } from './collections.ts';
import { createWriter } from './write.ts';
import { createStaging } from './staging.ts';
import { createCodeIndexCache } from './code-index.ts';
import { knn } from './knn.ts';
import { createKeywordSearch } from './keyword.ts';
import * as maintenance from './maintenance.ts';
import type { ChunkExportRow, VectorStore } from './types.ts';

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
export { isStagingGone } from './staging.ts';
export const BUSY_TIMEOUT_MS = 5000;

/** Opens the file with sqlite-vec loaded, migrated, in WAL mode; closes it again on any error. */
function openDatabase(path: string): BetterSqlite3.Database {
  // A file that lost its end fails here, before SQLite reads past it.
  const problem = headerProblem(path);
  if (problem) throw Object.assign(new Error(`${path}: ${problem}`), { code: 'SQLITE_CORRUPT' });
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
function composeStore(ctx: StoreContext): Inner {
  const collections = createCollections(ctx);
  const writer = createWriter(ctx, collections.collectionDim);
  const staging = createStaging(ctx, collections.collectionDim);
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
    beginStagedDocument: staging.beginStagedDocument,
    stageChunks: staging.stageChunks,
    commitStagedDocument: staging.commitStagedDocument,
    discardStaged: staging.discardStaged,
    documentsAwaitingTitles: writer.documentsAwaitingTitles,
    setDocumentTitles: writer.setDocumentTitles,
    stagedChunkCount: staging.stagedChunkCount,
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

type Inner = Omit<VectorStore, 'onDamage' | 'reset' | 'verifyFile'>;
const FACADE_ONLY = new Set(['path', 'close', 'onDamage', 'reset', 'verifyFile']);

/**
 * Opens collections.db. The store outlives its connection: `reset` replaces a damaged file by an
 * empty one under the same object, so every holder of the store (the engine, an import running)
 * goes on with the new file. An operation that fails because the file is damaged tells the
 * `onDamage` listeners (start-up wires the rebuild there) and throws `index_rebuilding`.
 */
export function openVectorStore(path: string): VectorStore {
  let ctx = createContext(openDatabase(path), path);
  let inner: Inner = composeStore(ctx);
  let closed = false;
  /** Bumped by `reset`: a check that began on the file before knows it is about another file. */
  let generation = 0;
  const listeners = new Set<(cause: unknown) => void>();

  function failed(err: unknown): unknown {
    if (!isSqliteDamage(err) || listeners.size === 0) return err;
    for (const listener of [...listeners]) {
      try {
        listener(err);
      } catch (listenerErr) {
        console.error('pustaka: while reporting a damaged collections.db:', listenerErr);
      }
    }
    return indexRebuildingError(path, err);
  }
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw failed(err);
    }
  };

  const store = { path } as VectorStore;
  const methods = store as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const key of Object.keys(inner)) {
    if (FACADE_ONLY.has(key)) continue;
    methods[key] = (...args: unknown[]) =>
      guard(() => {
        const out = (inner as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!(...args);
        if (out instanceof Promise) return out.catch((err: unknown) => Promise.reject(failed(err)));
        if (key === 'collectionExportRows')
          return guardedRows(out as IterableIterator<ChunkExportRow>, guard);
        return out;
      });
  }
  Object.assign(store, {
    onDamage(listener: (cause: unknown) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset(moveAside: () => void) {
      if (closed) throw new Error('the vector store is closed');
      inner.close();
      try {
        moveAside();
        ctx = createContext(openDatabase(path), path);
      } catch (err) {
        // The file could not be set aside (Windows: another handle holds it) or a new one made:
        // reopen whatever is at the path, so the store is never left on a closed connection.
        ctx = createContext(openDatabase(path), path);
        inner = composeStore(ctx);
        throw err;
      }
      generation++;
      inner = composeStore(ctx);
    },
    async verifyFile(opts: { signal?: AbortSignal } = {}) {
      const checked = generation;
      const r = await checkFileInWorker(path, opts);
      if (!r.damaged || closed || checked !== generation) return r;
      failed(Object.assign(new Error(`integrity check: ${r.problem}`), { code: r.code ?? 'SQLITE_CORRUPT' }));
      return r;
    },
    close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      inner.close();
    },
  } satisfies Pick<VectorStore, 'onDamage' | 'reset' | 'verifyFile' | 'close'>);
  registerStore(store, { current: () => ctx, failed });
  return store;
}

/** Reads a lazy row iterator under the damage guard. */
function* guardedRows(
  rows: IterableIterator<ChunkExportRow>,
  guard: <T>(fn: () => T) => T,
): IterableIterator<ChunkExportRow> {
  for (;;) {
    const next = guard(() => rows.next());
    if (next.done) return;
    yield next.value;
  }
}

/**
 * The store's open database, for tests only (to inspect or damage the file directly). Production
 * code uses the store's methods, or a function in core/stores/vectors that takes the store.
 */
export function rawHandleForTests(store: VectorStore): BetterSqlite3.Database {
  return contextOf(store).db;
}
