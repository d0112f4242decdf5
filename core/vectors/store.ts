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
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { toFtsQuery } from './fts-query.ts';
import { f32Blob, normalizeL2 } from './quantize.ts';
import { assertValidDim, ensureVecTable, migrate, readSchemaVersion, vecTableName } from './schema.ts';

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
}

export interface VectorStore {
  readonly path: string;
  /** The open database, for modules that add their own statements (re-embedding). */
  readonly db: BetterSqlite3.Database;
  schemaVersion(): number;
  /** Idempotent; throws if the collection is already registered with another dimension. */
  ensureCollection(collectionId: number, dim: number): void;
  collectionDim(collectionId: number): number | null;
  /** Collections registered here (for the start-up reconciler), ascending. */
  collectionIds(): number[];
  /** Removes chunks, vectors, bits, FTS rows and the dimension row; returns chunks removed. */
  dropCollection(collectionId: number): number;
  /**
   * One transaction: delete the document's old chunks, insert the new ones; returns the new chunk
   * ids in input order. Every embedding must have the collection's dimension and finite values
   * (they are stored normalized). On any error nothing changes.
   */
  replaceDocumentChunks(collectionId: number, documentId: number, chunks: ChunkInput[]): number[];
  deleteDocumentChunks(documentId: number): number;
  countChunks(collectionId?: number): number;
  /** Distinct document ids that have chunks (for the start-up reconciler), ascending. */
  documentIds(collectionId?: number): number[];
  /** Rows in the order asked; unknown ids are skipped. */
  getChunks(ids: number[]): ChunkRow[];
  /** Ordered by ordinal. */
  documentChunks(documentId: number): ChunkRow[];
  knn(collectionId: number, query: Float32Array, k: number, opts?: KnnOptions): VectorHit[];
  keywordSearch(collectionIds: number[], text: string, k: number): KeywordHit[];
  /** `PRAGMA wal_checkpoint(TRUNCATE)` — after large imports and in nightly maintenance. */
  checkpoint(): void;
  fileSizes(): { db: number; wal: number };
  /** Versions of the SQLite library and the sqlite-vec extension in use. */
  versions(): { sqlite: string; sqliteVec: string };
  close(): void;
}

/** At or below this many chunks a collection is searched by exact brute force. */
export const EXACT_SEARCH_MAX_CHUNKS = 5000;
/** sqlite-vec's upper bound for `k` in a vec0 KNN query. */
export const VEC0_MAX_K = 4096;
export const BUSY_TIMEOUT_MS = 5000;

interface ChunkDbRow {
  id: number;
  collection_id: number;
  document_id: number;
  ordinal: number;
  text: string;
  heading_path: string;
  page: number | null;
  char_start: number | null;
  char_end: number | null;
  token_count: number | null;
}

const CHUNK_COLUMNS =
  'id, collection_id, document_id, ordinal, text, heading_path, page, char_start, char_end, token_count';

function parseHeadingPath(s: string): string[] {
  if (!s) return [];
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

function toRow(r: ChunkDbRow): ChunkRow {
  return {
    id: r.id,
    collectionId: r.collection_id,
    documentId: r.document_id,
    ordinal: r.ordinal,
    text: r.text,
    headingPath: parseHeadingPath(r.heading_path),
    page: r.page,
    charStart: r.char_start ?? 0,
    charEnd: r.char_end ?? 0,
    tokenCount: r.token_count ?? 0,
  };
}

function assertId(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new TypeError(`${name} must be an integer, got ${String(v)}`);
}

function assertIntOrNull(name: string, v: number | null): void {
  if (v !== null && !Number.isSafeInteger(v))
    throw new TypeError(`${name} must be an integer or null, got ${String(v)}`);
}

export function openVectorStore(path: string): VectorStore {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqliteVec.load(db);
    // Check the version before changing anything in the file (journal mode included).
    migrate(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (err) {
    db.close();
    throw err;
  }

  const statements = new Map<string, BetterSqlite3.Statement>();
  function stmt(sql: string): BetterSqlite3.Statement {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  }

  function collectionDim(collectionId: number): number | null {
    assertId('collectionId', collectionId);
    const row = stmt('SELECT dim FROM collection_dims WHERE collection_id = ?').get(collectionId) as
      { dim: number } | undefined;
    return row ? row.dim : null;
  }

  function countChunks(collectionId?: number): number {
    if (collectionId === undefined) {
      return (stmt('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
    }
    assertId('collectionId', collectionId);
    return (
      stmt('SELECT count(*) AS n FROM chunks WHERE collection_id = ?').get(collectionId) as { n: number }
    ).n;
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
    // FTS rows go through the chunks_fts_ad trigger, float vectors through ON DELETE CASCADE.
    return stmt('DELETE FROM chunks WHERE collection_id = ?').run(collectionId).changes;
  });

  const replaceTx = db.transaction(
    (collectionId: number, documentId: number, chunks: ChunkInput[]): number[] => {
      const dim = collectionDim(collectionId);
      if (dim === null) {
        throw new Error(`collection ${collectionId} has no embedding dimension; call ensureCollection first`);
      }
      stmt('DELETE FROM chunks WHERE document_id = ?').run(documentId);
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
    },
  );

  const deleteDocumentTx = db.transaction(
    (documentId: number): number => stmt('DELETE FROM chunks WHERE document_id = ?').run(documentId).changes,
  );

  function prepareQuery(dim: number, query: Float32Array): Buffer {
    if (!(query instanceof Float32Array)) throw new TypeError('query must be a Float32Array');
    if (query.length !== dim)
      throw new RangeError(`query has ${query.length} dimensions, collection uses ${dim}`);
    return f32Blob(normalizeL2(query));
  }

  function exactKnn(collectionId: number, q: Buffer, k: number): VectorHit[] {
    return stmt(
      `SELECT v.chunk_id AS chunkId, vec_distance_l2(v.embedding, ?) AS distance
         FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
        WHERE c.collection_id = ?
        ORDER BY distance, chunkId
        LIMIT ?`,
    ).all(q, collectionId, k) as VectorHit[];
  }

  function coarseKnn(
    collectionId: number,
    dim: number,
    q: Buffer,
    k: number,
    candidates: number,
  ): VectorHit[] {
    const ids = stmt(
      `SELECT chunk_id FROM ${vecTableName(dim)}
        WHERE bits MATCH vec_quantize_binary(vec_f32(?)) AND k = ? AND collection_id = ?`,
    )
      .pluck()
      .all(q, candidates, BigInt(collectionId)) as number[];
    if (ids.length === 0) return [];
    // Rescore by primary-key lookups on the float vectors (never an IN-subquery against vec0).
    return stmt(
      `SELECT chunk_id AS chunkId, vec_distance_l2(embedding, ?) AS distance
         FROM chunk_vectors
        WHERE chunk_id IN (SELECT value FROM json_each(?))
        ORDER BY distance, chunkId
        LIMIT ?`,
    ).all(q, JSON.stringify(ids), k) as VectorHit[];
  }

  let closed = false;

  const store: VectorStore = {
    path,
    db,

    schemaVersion: () => readSchemaVersion(db),

    ensureCollection(collectionId, dim) {
      assertId('collectionId', collectionId);
      assertValidDim(dim);
      ensureCollectionTx.immediate(collectionId, dim);
    },

    collectionDim,

    collectionIds() {
      return stmt('SELECT collection_id FROM collection_dims ORDER BY collection_id')
        .pluck()
        .all() as number[];
    },

    dropCollection(collectionId) {
      assertId('collectionId', collectionId);
      return dropCollectionTx.immediate(collectionId);
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

    countChunks,

    documentIds(collectionId) {
      if (collectionId === undefined) {
        return stmt('SELECT DISTINCT document_id FROM chunks ORDER BY document_id').pluck().all() as number[];
      }
      assertId('collectionId', collectionId);
      return stmt('SELECT DISTINCT document_id FROM chunks WHERE collection_id = ? ORDER BY document_id')
        .pluck()
        .all(collectionId) as number[];
    },

    getChunks(ids) {
      if (ids.length === 0) return [];
      for (const id of ids) assertId('chunk id', id);
      const rows = stmt(
        `SELECT ${CHUNK_COLUMNS} FROM chunks WHERE id IN (SELECT value FROM json_each(?))`,
      ).all(JSON.stringify(ids)) as ChunkDbRow[];
      const byId = new Map(rows.map((r) => [r.id, toRow(r)]));
      const out: ChunkRow[] = [];
      for (const id of ids) {
        const r = byId.get(id);
        if (r) out.push(r);
      }
      return out;
    },

    documentChunks(documentId) {
      assertId('documentId', documentId);
      const rows = stmt(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`).all(
        documentId,
      ) as ChunkDbRow[];
      return rows.map(toRow);
    },

    knn(collectionId, query, k, opts = {}) {
      assertId('collectionId', collectionId);
      const dim = collectionDim(collectionId);
      if (dim === null) return [];
      const q = prepareQuery(dim, query);
      const limit = Math.floor(k);
      if (!(limit > 0)) return [];
      if (opts.exact || limit >= VEC0_MAX_K || countChunks(collectionId) <= EXACT_SEARCH_MAX_CHUNKS) {
        return exactKnn(collectionId, q, limit);
      }
      const wanted = Math.floor(opts.candidates ?? Math.max(10 * limit, 200));
      const candidates = Math.min(Math.max(wanted, limit), VEC0_MAX_K);
      return coarseKnn(collectionId, dim, q, limit, candidates);
    },

    keywordSearch(collectionIds, text, k) {
      const limit = Math.floor(k);
      if (collectionIds.length === 0 || !(limit > 0)) return [];
      for (const id of collectionIds) assertId('collectionId', id);
      const match = toFtsQuery(text);
      if (match === null) return [];
      // Column weights: body text 1.0, heading path 0.5.
      const rows = stmt(
        `SELECT c.id AS chunkId, bm25(chunks_fts, 1.0, 0.5) AS bm
           FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
          WHERE chunks_fts MATCH ?
            AND c.collection_id IN (SELECT value FROM json_each(?))
          ORDER BY bm, chunkId
          LIMIT ?`,
      ).all(match, JSON.stringify(collectionIds), limit) as { chunkId: number; bm: number }[];
      return rows.map((r) => ({ chunkId: r.chunkId, score: -r.bm }));
    },

    checkpoint() {
      db.pragma('wal_checkpoint(TRUNCATE)');
    },

    fileSizes() {
      const size = (p: string): number => {
        try {
          return fs.statSync(p).size;
        } catch {
          return 0;
        }
      };
      return { db: size(path), wal: size(`${path}-wal`) };
    },

    versions() {
      return stmt('SELECT sqlite_version() AS sqlite, vec_version() AS sqliteVec').get() as {
        sqlite: string;
        sqliteVec: string;
      };
    },

    close() {
      if (closed) return;
      closed = true;
      statements.clear();
      db.close();
    },
  };
  return store;
}
