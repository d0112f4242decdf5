/**
 * The approved golden questions in memory, for lookups in a few milliseconds: vec0 in
 * collections.db keeps the vectors (built once, re-embedded only on change), this index scans
 * their sign bits (Hamming distance, 48 bytes a vector at 384 dimensions) and rescores the best
 * candidates exactly — the same coarse-then-exact plan as chunk search. vec0's own KNN scan costs
 * ~10 ms over 10k vectors, this one under 1 ms.
 */
import type { Embedder } from '../../models/embed/types.ts';
import { goldenVectorRows } from '../../stores/vectors/golden-index.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';

export interface IndexHit {
  goldenId: number;
  /** The golden question (canonical or variation) that matched. */
  text: string;
  similarity: number;
}

export interface GoldenMatrix {
  dim: number;
  words: number;
  goldenIds: Int32Array;
  texts: string[];
  vectors: Float32Array;
  bits: Uint32Array;
}

function signBits(v: Float32Array, offset: number, dim: number, out: Uint32Array, at: number): void {
  const words = dim >>> 5;
  for (let w = 0; w < words; w++) {
    let x = 0;
    for (let b = 0; b < 32; b++) if (v[offset + w * 32 + b]! > 0) x |= 1 << b;
    out[at + w] = x >>> 0;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Reads every vector of this embedder from vec0 (dims are multiples of 32 for the bit pass). */
export function loadGoldenMatrix(store: VectorStore, embedder: Embedder, table: string): GoldenMatrix {
  const dim = embedder.dim;
  const rows = goldenVectorRows(store, table, embedder.id);
  const words = Math.ceil(dim / 32);
  const vectors = new Float32Array(rows.length * dim);
  const bits = new Uint32Array(rows.length * words);
  const goldenIds = new Int32Array(rows.length);
  const padded = new Float32Array(words * 32);
  rows.forEach((r, i) => {
    const v = new Float32Array(r.embedding.buffer, r.embedding.byteOffset, dim);
    vectors.set(v, i * dim);
    padded.fill(0);
    padded.set(v);
    signBits(padded, 0, words * 32, bits, i * words);
    goldenIds[i] = r.golden_id;
  });
  return { dim, words, goldenIds, texts: rows.map((r) => r.text), vectors, bits };
}

/** The k most similar golden questions (cosine), from the best `candidates` by sign bits. */
export function nearestInMatrix(m: GoldenMatrix, query: Float32Array, k = 5, candidates = 64): IndexHit[] {
  const n = m.goldenIds.length;
  if (n === 0) return [];
  const q = new Uint32Array(m.words);
  const padded = new Float32Array(m.words * 32);
  padded.set(query);
  signBits(padded, 0, m.words * 32, q, 0);
  // Hamming distances, then the `candidates` smallest (counting sort over 0…dim).
  const dist = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    const base = i * m.words;
    for (let w = 0; w < m.words; w++) d += popcount((m.bits[base + w]! ^ q[w]!) >>> 0);
    dist[i] = d;
  }
  const counts = new Uint32Array(m.words * 32 + 1);
  for (let i = 0; i < n; i++) counts[dist[i]!]!++;
  let cutoff = 0;
  for (let seen = 0; cutoff < counts.length && seen + counts[cutoff]! < Math.min(candidates, n); cutoff++) {
    seen += counts[cutoff]!;
  }
  const scored: IndexHit[] = [];
  for (let i = 0; i < n; i++) {
    if (dist[i]! > cutoff) continue;
    let s = 0;
    const base = i * m.dim;
    for (let j = 0; j < m.dim; j++) s += m.vectors[base + j]! * query[j]!;
    scored.push({ goldenId: m.goldenIds[i]!, text: m.texts[i]!, similarity: s });
  }
  scored.sort((a, b) => b.similarity - a.similarity);
  return scored.slice(0, k);
}
