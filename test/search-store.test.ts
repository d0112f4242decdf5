// What search needs from the vector store beyond its own tests: the in-memory coarse index (fresh
// after every write, good recall), searches restricted to documents, common-term pruning, vectors.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeL2 } from '../core/stores/vectors/quantize.ts';
import {
  COMMON_TERM_MIN_DF,
  EXACT_SEARCH_MAX_CHUNKS,
  openVectorStore,
  rawHandleForTests,
  type ChunkInput,
  type VectorStore,
} from '../core/stores/vectors/store.ts';
import { rng } from './support/prng.ts';
import { tempDir } from './support/temp-dir.ts';

const DIM = 32;
let store: VectorStore | undefined;
afterEach(() => store?.close());

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

function chunks(texts: string[], vectors: Float32Array[]): ChunkInput[] {
  return texts.map((text, i) => ({
    ordinal: i,
    text,
    headingPath: [],
    page: null,
    charStart: 0,
    charEnd: text.length,
    tokenCount: 1,
    embedding: vectors[i]!,
  }));
}

/** 6,000 clustered vectors in 30 documents of 200 (above the exact-search limit). */
function clusteredStore() {
  store = openVectorStore(path.join(tempDir(), 'collections.db'));
  store.ensureCollection(1, DIM);
  const r = rng(4);
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: DIM }, () => gaussian(r)));
  const near = () => {
    const c = centres[Math.floor(r() * centres.length)]!;
    return Float32Array.from(c, (x) => x + gaussian(r) * 0.7);
  };
  const all: { id: number; v: Float32Array }[] = [];
  for (let d = 1; d <= 30; d++) {
    const vs = Array.from({ length: 200 }, near);
    const ids = store.replaceDocumentChunks(
      1,
      d,
      chunks(
        vs.map((_, i) => `umum dokumen ${d} bagian ${i}${i % 67 === 0 ? ' langka' : ''}`),
        vs,
      ),
    );
    ids.forEach((id, i) => all.push({ id, v: normalizeL2(vs[i]!) }));
  }
  return { s: store, all, near };
}

function exactTop(all: { id: number; v: Float32Array }[], q: Float32Array, k: number): number[] {
  const u = normalizeL2(q);
  return all
    .map(({ id, v }) => ({ id, s: v.reduce((acc, x, i) => acc + x * u[i]!, 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

describe('vector store, as search uses it', () => {
  it('coarse pass (Hamming + asymmetric re-rank) keeps recall@10 ≥ 0.95 with 1,000 candidates', () => {
    const { s, all, near } = clusteredStore();
    expect(s.countChunks(1)).toBeGreaterThan(EXACT_SEARCH_MAX_CHUNKS);
    let hits = 0;
    for (let i = 0; i < 30; i++) {
      const q = near();
      const truth = new Set(exactTop(all, q, 10));
      const got = s.knn(1, q, 10, { candidates: 1_000 });
      expect(got).toHaveLength(10);
      hits += got.filter((h) => truth.has(h.chunkId)).length;
    }
    expect(hits / 300).toBeGreaterThanOrEqual(0.95);
  });

  it('sees every write at once: new chunks are found, deleted and replaced ones never come back', () => {
    const { s, near } = clusteredStore();
    const q = near();
    s.knn(1, q, 10); // loads the in-memory index
    const [added] = s.replaceDocumentChunks(1, 99, chunks(['baru'], [q]));
    expect(s.knn(1, q, 1)[0]).toMatchObject({ chunkId: added });
    s.deleteDocumentChunks(99);
    expect(s.knn(1, q, 50).map((h) => h.chunkId)).not.toContain(added);
    const [again] = s.replaceDocumentChunks(1, 5, chunks(['ganti'], [q]));
    const hits = s.knn(1, q, 300);
    expect(hits[0]!.chunkId).toBe(again);
    const doc5 = new Set(s.documentChunks(5).map((c) => c.id));
    expect(doc5).toEqual(new Set([again]));
    // A write to another collection leaves this one's results as they were.
    s.ensureCollection(2, DIM);
    s.replaceDocumentChunks(2, 500, chunks(['lain'], [q]));
    expect(s.knn(1, q, 300)).toEqual(hits);
    // Writes through the raw connection (as re-embedding does) are seen too.
    rawHandleForTests(s).prepare('DELETE FROM chunks WHERE id = ?').run(again);
    expect(s.knn(1, q, 10).map((h) => h.chunkId)).not.toContain(again);
  });

  it('searches inside given documents exactly, by vector and by keyword', () => {
    const { s, all, near } = clusteredStore();
    const inDocs = new Set(s.documentChunks(3).map((c) => c.id));
    for (const c of s.documentChunks(7)) inDocs.add(c.id);
    const q = near();
    const hits = s.knn(1, q, 15, { documentIds: [3, 7] });
    expect(hits.map((h) => h.chunkId)).toEqual(
      exactTop(
        all.filter((a) => inDocs.has(a.id)),
        q,
        15,
      ),
    );
    const kw = s.keywordSearch([1], 'langka', 100, { documentIds: [3, 7] });
    expect(kw).toHaveLength(6);
    expect(kw.every((h) => inDocs.has(h.chunkId))).toBe(true);
    expect(s.keywordSearch([1], 'langka', 100, { documentIds: [] })).toEqual([]);
    expect(s.knn(1, q, 5, { documentIds: [12345] })).toEqual([]);
  });

  it('leaves very common terms out of a query that has rarer ones, but searches a common term alone', () => {
    const { s } = clusteredStore();
    expect(s.countChunks()).toBeGreaterThan(COMMON_TERM_MIN_DF); // "umum" is in every chunk
    const rare = s.keywordSearch([1], 'umum langka', 1_000);
    expect(rare).toHaveLength(90); // only the chunks with "langka": 3 per document
    expect(s.keywordSearch([1], 'umum', 20)).toHaveLength(20);
    // A tight budget keeps just the rarest term; no budget would score "umum" too.
    expect(s.keywordSearch([1], 'bagian langka', 1_000, { postingsBudget: 100 })).toHaveLength(90);
    expect(s.keywordSearch([1], 'dokumen bagian', 1_000, { postingsBudget: 10_000_000 })).toHaveLength(1_000);
    expect(s.keywordSearch([1], 'tidakada langka', 10)).toHaveLength(10);
    expect(s.keywordSearch([1], 'tidakada', 10)).toEqual([]);
  });

  it('returns stored vectors, normalized, by chunk id', () => {
    store = openVectorStore(path.join(tempDir(), 'collections.db'));
    store.ensureCollection(1, 8);
    const [id] = store.replaceDocumentChunks(1, 1, chunks(['x'], [Float32Array.of(3, 4, 0, 0, 0, 0, 0, 0)]));
    const got = store.getVectors([id!, 424242]);
    expect([...got.keys()]).toEqual([id]);
    expect([...got.get(id!)!]).toEqual([0.6, 0.8, 0, 0, 0, 0, 0, 0].map((x) => Math.fround(x)));
  });
});
