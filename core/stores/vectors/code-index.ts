/**
 * The in-memory coarse pass over a collection's sign-bit codes (a Hamming scan, then an asymmetric
 * re-rank), and the per-store cache of those indexes, loaded from vec0's chunk blobs.
 *
 * This is the one module that reads sqlite-vec's shadow tables (`<table>_chunks`,
 * `<table>_vector_chunks00`). No public vec0 query gives the same thing: a full scan of the vec0
 * table returns rows in rowid order rather than vec0's slot order (which decides ties in the
 * Hamming pass, so results could change), reads each vector by a lookup of its own, and there is
 * no public counterpart of the validity bitmaps that tell cheaply whether a collection changed.
 * When the layout is not the one expected, the cache holds null and search falls back to vec0's
 * own KNN (`MATCH … AND k = ?`).
 */
import { binaryQuantize } from './quantize.ts';
import { vecTableName } from './schema.ts';
import type { StoreContext } from './context.ts';

/**
 * The coarse pass in memory: every sign-bit code of one collection, packed into 32-bit words, with
 * its chunk id. A linear Hamming scan over it costs ~3 ms per 100k chunks for any candidate count,
 * where a vec0 `MATCH … AND k = ?` keeps its top k by insertion and grows with k (measured: 24 ms
 * at k = 200, 180 ms at k = 1000 over 100k). Loaded from vec0's own chunk blobs (one row per 1,024
 * vectors, with a validity bitmap), so it always agrees with the vec0 table it mirrors.
 */
export interface CodeIndex {
  /** The store's change stamp when last checked: a write anywhere means checking again. */
  stamp: string;
  dim: number;
  /** The vec0 chunk ids and validity bitmaps it was built from (what a write to it changes). */
  validity: Buffer;
  n: number;
  /** 32-bit words per code (dim / 32, rounded up; padding bits are zero). */
  words: number;
  ids: Float64Array;
  codes: Int32Array;
  /** Scratch for one scan. */
  dist: Uint16Array;
}

/** vec0 shadow rows of one partition: slot count, validity bitmap, int64 rowids, packed codes. */
type Vec0ChunkRow = [size: number, validity: Buffer, rowids: Buffer, vectors: Buffer];

/** Builds the index from vec0 chunk rows; null when a row does not have the layout we expect. */
function buildCodeIndex(
  rows: Vec0ChunkRow[],
  dim: number,
  stamp: string,
  validity: Buffer,
): CodeIndex | null {
  const bytes = dim / 8;
  const words = Math.ceil(bytes / 4);
  let capacity = 0;
  for (const [size, bitmap, rowids, vectors] of rows) {
    if (bitmap.length * 8 < size || rowids.length < size * 8 || vectors.length < size * bytes) return null;
    capacity += size;
  }
  const ids = new Float64Array(capacity);
  const codes = new Int32Array(capacity * words);
  const codeBytes = new Uint8Array(codes.buffer);
  let n = 0;
  for (const [size, bitmap, rowids, vectors] of rows) {
    for (let slot = 0; slot < size; slot++) {
      if (!(bitmap[slot >> 3]! & (1 << (slot & 7)))) continue;
      ids[n] = Number(rowids.readBigInt64LE(slot * 8));
      codeBytes.set(vectors.subarray(slot * bytes, (slot + 1) * bytes), n * words * 4);
      n++;
    }
  }
  return { stamp, dim, validity, n, words, ids, codes, dist: new Uint16Array(n) };
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** How many codes the Hamming pass keeps per candidate wanted, for the asymmetric re-rank. */
export const HAMMING_PRESELECT_FACTOR = 4;

/** Slots of the `count` codes nearest to `q` (packed like the codes) in Hamming distance. */
function hammingNearest(index: CodeIndex, q: Int32Array, count: number): number[] {
  const { n, words, codes, dist } = index;
  const slots: number[] = [];
  if (n <= count) {
    for (let i = 0; i < n; i++) slots.push(i);
    return slots;
  }
  const hist = new Uint32Array(words * 32 + 1);
  for (let i = 0, o = 0; i < n; i++, o += words) {
    let d = 0;
    for (let w = 0; w < words; w++) d += popcount32(codes[o + w]! ^ q[w]!);
    dist[i] = d;
    hist[d]!++;
  }
  // The smallest distance `limit` such that at least `count` codes lie at or below it.
  let limit = 0;
  for (let seen = hist[0]!; seen < count; seen += hist[++limit]!);
  let atLimit = count;
  for (let d = 0; d < limit; d++) atLimit -= hist[d]!;
  for (let i = 0; i < n; i++) {
    const d = dist[i]!;
    if (d < limit || (d === limit && atLimit-- > 0)) slots.push(i);
  }
  return slots;
}

/**
 * Chunk ids of the `count` codes most likely nearest to the unit vector `query`, in two steps:
 * a Hamming pass over every code keeps HAMMING_PRESELECT_FACTOR × count, then those are re-ranked
 * by the asymmetric estimate query · sign(code), which uses the query's float values and so ranks
 * far better than bits against bits (measured on clustered data: recall@10 0.95 → 0.99 at 1,000
 * candidates) for next to nothing (one table lookup per code byte).
 */
export function nearestCodes(index: CodeIndex, query: Float32Array, count: number): number[] {
  const { n, words, ids, codes } = index;
  if (n <= count) return Array.from(ids.subarray(0, n));
  const bits = binaryQuantize(query);
  const q = new Int32Array(words);
  new Uint8Array(q.buffer).set(bits);
  const slots = hammingNearest(index, q, Math.min(n, count * HAMMING_PRESELECT_FACTOR));
  // sum[byte][v] = Σ of the query's values over the set bits of v in that byte.
  const bytes = bits.length;
  const sum = new Float32Array(words * 4 * 256);
  for (let b = 0; b < bytes; b++) {
    for (let v = 1; v < 256; v++) {
      const low = v & -v;
      sum[b * 256 + v] = sum[b * 256 + (v ^ low)]! + query[b * 8 + 31 - Math.clz32(low)]!;
    }
  }
  const score = new Float64Array(slots.length);
  for (let j = 0; j < slots.length; j++) {
    let s = 0;
    for (let w = 0, o = slots[j]! * words, t = 0; w < words; w++, t += 1024) {
      const x = codes[o + w]!;
      s += sum[t + (x & 255)]! + sum[t + 256 + ((x >>> 8) & 255)]! + sum[t + 512 + ((x >>> 16) & 255)]!;
      s += sum[t + 768 + (x >>> 24)]!;
    }
    score[j] = s;
  }
  // The `count` best scores: everything above the count-th best, then ties in slot order.
  const cut = Float64Array.from(score).sort()[score.length - count]!;
  let ties = 0;
  for (let j = 0; j < score.length; j++) if (score[j]! > cut) ties++;
  ties = count - ties;
  const out: number[] = [];
  for (let j = 0; j < score.length; j++) {
    const s = score[j]!;
    if (s > cut || (s === cut && ties-- > 0)) out.push(ids[slots[j]!]!);
  }
  return out;
}

/** Reads the collection's vec0 chunk rows and builds its index; null when the layout is unknown. */
function loadCodeIndex(
  { stmt }: StoreContext,
  collectionId: number,
  dim: number,
  stamp: string,
  cached: CodeIndex | undefined,
): CodeIndex | null {
  const table = vecTableName(dim);
  try {
    const bitmaps = stmt(
      `SELECT chunk_id, validity FROM "${table}_chunks" WHERE partition00 = ? ORDER BY chunk_id`,
    )
      .raw()
      .all(collectionId) as [number, Buffer][];
    const validity = Buffer.concat(
      bitmaps.flatMap(([id, bits]) => [Buffer.from(new Float64Array([id]).buffer), bits]),
    );
    if (cached && cached.dim === dim && cached.validity.equals(validity)) {
      cached.stamp = stamp;
      return cached;
    }
    const rows = stmt(
      `SELECT c.size, c.validity, c.rowids, v.vectors
           FROM "${table}_chunks" c JOIN "${table}_vector_chunks00" v ON v.rowid = c.chunk_id
          WHERE c.partition00 = ?
          ORDER BY c.chunk_id`,
    )
      .raw()
      .all(collectionId) as Vec0ChunkRow[];
    return buildCodeIndex(rows, dim, stamp, validity);
  } catch {
    return null; // another sqlite-vec layout: fall back to vec0's own KNN
  }
}

export interface CodeIndexCache {
  /**
   * The collection's in-memory codes, or null if vec0's layout is unknown. After any write the
   * validity bitmaps of its vec0 chunks (128 bytes per 1,024 vectors) tell whether this collection
   * changed: writes elsewhere cost a comparison, not a reload.
   */
  get(collectionId: number, dim: number): CodeIndex | null;
  delete(collectionId: number): void;
  clear(): void;
}

export function createCodeIndexCache(ctx: StoreContext): CodeIndexCache {
  const indexes = new Map<number, CodeIndex | null>();
  return {
    get(collectionId, dim) {
      const stamp = ctx.changeStamp();
      const cached = indexes.get(collectionId);
      if (cached === null || cached?.stamp === stamp) return cached;
      const index = loadCodeIndex(ctx, collectionId, dim, stamp, cached);
      indexes.set(collectionId, index);
      return index;
    },
    delete: (collectionId) => void indexes.delete(collectionId),
    clear: () => indexes.clear(),
  };
}
