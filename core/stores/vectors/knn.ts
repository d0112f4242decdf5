/**
 * Nearest-neighbour search: exact brute force over the float vectors for small collections and
 * narrow filters, otherwise a binary-quantized coarse pass (in memory, or vec0's KNN) whose
 * candidates are rescored exactly.
 */
import { blobToF32, f32Blob, normalizeL2 } from './quantize.ts';
import { vecTableName } from './schema.ts';
import { countChunks } from './chunks.ts';
import { nearestCodes, type CodeIndex, type CodeIndexCache } from './code-index.ts';
import { assertId, type StoreContext } from './context.ts';
import type { KnnOptions, VectorHit } from './types.ts';

/** At or below this many chunks a collection is searched by exact brute force. */
export const EXACT_SEARCH_MAX_CHUNKS = 5000;
/** sqlite-vec's upper bound for `k` in a vec0 KNN query (and our cap on coarse candidates). */
export const VEC0_MAX_K = 4096;

function prepareQuery(dim: number, query: Float32Array): Buffer {
  if (!(query instanceof Float32Array)) throw new TypeError('query must be a Float32Array');
  if (query.length !== dim)
    throw new RangeError(`query has ${query.length} dimensions, collection uses ${dim}`);
  return f32Blob(normalizeL2(query));
}

function exactKnn({ stmt }: StoreContext, collectionId: number, q: Buffer, k: number): VectorHit[] {
  return stmt(
    `SELECT v.chunk_id AS chunkId, vec_distance_l2(v.embedding, ?) AS distance
         FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
        WHERE c.collection_id = ?
        ORDER BY distance, chunkId
        LIMIT ?`,
  ).all(q, collectionId, k) as VectorHit[];
}

function exactKnnInDocuments(
  { stmt }: StoreContext,
  collectionId: number,
  q: Buffer,
  k: number,
  documentIds: number[],
): VectorHit[] {
  return stmt(
    `SELECT v.chunk_id AS chunkId, vec_distance_l2(v.embedding, ?) AS distance
         FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
        WHERE c.document_id IN (SELECT value FROM json_each(?)) AND c.collection_id = ?
        ORDER BY distance, chunkId
        LIMIT ?`,
  ).all(q, JSON.stringify(documentIds), collectionId, k) as VectorHit[];
}

function rescore({ stmt }: StoreContext, q: Buffer, ids: number[], k: number): VectorHit[] {
  if (ids.length === 0) return [];
  // Primary-key lookups on the float vectors (never an IN-subquery against vec0).
  return stmt(
    `SELECT chunk_id AS chunkId, vec_distance_l2(embedding, ?) AS distance
         FROM chunk_vectors
        WHERE chunk_id IN (SELECT value FROM json_each(?))
        ORDER BY distance, chunkId
        LIMIT ?`,
  ).all(q, JSON.stringify(ids), k) as VectorHit[];
}

/** Candidates from the in-memory codes when there are some, else from vec0's KNN; then exact. */
function coarseKnn(
  ctx: StoreContext,
  collectionId: number,
  dim: number,
  q: Buffer,
  k: number,
  candidates: number,
  index: CodeIndex | null,
): VectorHit[] {
  if (index) return rescore(ctx, q, nearestCodes(index, blobToF32(q), candidates), k);
  const ids = ctx
    .stmt(
      `SELECT chunk_id FROM ${vecTableName(dim)}
        WHERE bits MATCH vec_quantize_binary(vec_f32(?)) AND k = ? AND collection_id = ?`,
    )
    .pluck()
    .all(q, candidates, BigInt(collectionId)) as number[];
  return rescore(ctx, q, ids, k);
}

export function knn(
  ctx: StoreContext,
  codeIndexes: CodeIndexCache,
  dim: number | null,
  collectionId: number,
  query: Float32Array,
  k: number,
  opts: KnnOptions = {},
): VectorHit[] {
  if (dim === null) return [];
  const q = prepareQuery(dim, query);
  const limit = Math.floor(k);
  if (!(limit > 0)) return [];
  if (opts.documentIds) {
    for (const id of opts.documentIds) assertId('document id', id);
    return exactKnnInDocuments(ctx, collectionId, q, limit, opts.documentIds);
  }
  if (opts.exact || limit >= VEC0_MAX_K) return exactKnn(ctx, collectionId, q, limit);
  const index = codeIndexes.get(collectionId, dim);
  const size = index ? index.n : countChunks(ctx, collectionId);
  if (size <= EXACT_SEARCH_MAX_CHUNKS) return exactKnn(ctx, collectionId, q, limit);
  const wanted = Math.floor(opts.candidates ?? Math.max(10 * limit, 200));
  const candidates = Math.min(Math.max(wanted, limit), VEC0_MAX_K);
  return coarseKnn(ctx, collectionId, dim, q, limit, candidates, index);
}
