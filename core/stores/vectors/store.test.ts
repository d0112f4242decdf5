import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { binaryQuantize, blobToF32, l2Distance, normalizeL2 } from './quantize.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { EXACT_SEARCH_MAX_CHUNKS, openVectorStore } from './store.ts';
import type { ChunkInput, VectorStore } from './store.ts';

let dir: string;
let file: string;
let store: VectorStore;
const extra: Database.Database[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-vectors-'));
  file = path.join(dir, 'collections.db');
  store = openVectorStore(file);
});

afterEach(() => {
  for (const d of extra.splice(0)) d.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A second, independent connection to the same file for checking every table. */
function raw(): Database.Database {
  const d = new Database(file);
  sqliteVec.load(d);
  extra.push(d);
  return d;
}

function count(d: Database.Database, table: string, where = ''): number {
  return (d.prepare(`SELECT count(*) AS n FROM ${table} ${where}`).get() as { n: number }).n;
}

/** Row counts of every derived table, plus an FTS5 integrity check against the content table. */
function tableCounts(d: Database.Database, dims: number[]) {
  d.prepare(`INSERT INTO chunks_fts (chunks_fts, rank) VALUES ('integrity-check', 1)`).run();
  const out: Record<string, number> = {
    chunks: count(d, 'chunks'),
    vectors: count(d, 'chunk_vectors'),
    fts: count(d, 'chunks_fts_docsize'),
    orphanVectors: count(d, 'chunk_vectors', 'WHERE chunk_id NOT IN (SELECT id FROM chunks)'),
  };
  for (const dim of dims) out[`bits${dim}`] = count(d, `vec_bits_${dim}`);
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
}

function randomVec(r: () => number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, () => gaussian(r));
}

function chunk(
  ordinal: number,
  text: string,
  embedding: Float32Array,
  extraFields: Partial<ChunkInput> = {},
): ChunkInput {
  return {
    ordinal,
    text,
    headingPath: [],
    page: null,
    charStart: ordinal * 100,
    charEnd: ordinal * 100 + text.length,
    tokenCount: text.split(/\s+/).length,
    embedding,
    ...extraFields,
  };
}

function docChunks(r: () => number, dim: number, n: number, prefix = 'chunk'): ChunkInput[] {
  return Array.from({ length: n }, (_, i) => chunk(i, `${prefix} ${i}`, randomVec(r, dim)));
}

describe('openVectorStore', () => {
  it('round-trips chunks with heading path, page and offsets', () => {
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.versions()).toEqual({
      sqlite: expect.stringMatching(/^3\./),
      sqliteVec: expect.stringMatching(/^v0\./),
    });
    expect(store.collectionIds()).toEqual([]);
    store.ensureCollection(1, 16);
    const r = rng(1);
    const ids = store.replaceDocumentChunks(1, 10, [
      chunk(0, 'Pasal 1. Ketentuan umum.', randomVec(r, 16), {
        headingPath: ['UU 13/2003', 'Bab I'],
        page: 3,
        charStart: 0,
        charEnd: 24,
        tokenCount: 6,
      }),
      chunk(1, 'Pasal 2. Ruang lingkup.', randomVec(r, 16), {
        headingPath: ['UU 13/2003', 'Bab I', 'Ruang "lingkup"'],
      }),
      chunk(2, 'Lampiran.', randomVec(r, 16)),
    ]);
    expect(ids).toHaveLength(3);
    expect(ids[0]! < ids[1]! && ids[1]! < ids[2]!).toBe(true);

    const rows = store.documentChunks(10);
    expect(rows.map((c) => c.id)).toEqual(ids);
    expect(rows[0]).toEqual({
      id: ids[0],
      collectionId: 1,
      documentId: 10,
      ordinal: 0,
      text: 'Pasal 1. Ketentuan umum.',
      headingPath: ['UU 13/2003', 'Bab I'],
      page: 3,
      charStart: 0,
      charEnd: 24,
      tokenCount: 6,
    });
    expect(rows[1]!.headingPath).toEqual(['UU 13/2003', 'Bab I', 'Ruang "lingkup"']);
    expect(rows[2]!.page).toBeNull();
    expect(rows[2]!.headingPath).toEqual([]);

    // getChunks keeps the order asked and skips unknown ids.
    expect(store.getChunks([ids[2]!, 999_999, ids[0]!]).map((c) => c.id)).toEqual([ids[2], ids[0]]);
    expect(store.getChunks([])).toEqual([]);
    expect(store.countChunks()).toBe(3);
    expect(store.countChunks(1)).toBe(3);
    expect(store.countChunks(2)).toBe(0);
    expect(store.documentIds()).toEqual([10]);
    expect(store.documentIds(1)).toEqual([10]);
    expect(store.documentIds(2)).toEqual([]);

    // Stored vectors are normalized float32.
    const blob = raw()
      .prepare('SELECT embedding FROM chunk_vectors WHERE chunk_id = ?')
      .pluck()
      .get(ids[0]) as Buffer;
    const stored = blobToF32(blob);
    expect(stored).toHaveLength(16);
    expect(Math.hypot(...stored)).toBeCloseTo(1, 5);
  });

  it('stores sign bits in the same layout as binaryQuantize', () => {
    store.ensureCollection(1, 32);
    const v = randomVec(rng(2), 32);
    const [id] = store.replaceDocumentChunks(1, 1, [chunk(0, 'x', v)]);
    const bits = raw()
      .prepare('SELECT bits FROM vec_bits_32 WHERE chunk_id = ?')
      .pluck()
      .get(BigInt(id!)) as Buffer;
    expect(Array.from(bits)).toEqual(Array.from(binaryQuantize(v)));
  });

  it('replaces a document: old ids gone, no orphan vectors, bits or FTS rows', () => {
    store.ensureCollection(1, 16);
    const r = rng(3);
    const other = store.replaceDocumentChunks(1, 20, docChunks(r, 16, 2, 'lain'));
    const old = store.replaceDocumentChunks(1, 10, [
      chunk(0, 'kata lama satu', randomVec(r, 16)),
      chunk(1, 'kata lama dua', randomVec(r, 16)),
      chunk(2, 'kata lama tiga', randomVec(r, 16)),
    ]);
    expect(tableCounts(raw(), [16])).toEqual({ chunks: 5, vectors: 5, fts: 5, orphanVectors: 0, bits16: 5 });

    const fresh = store.replaceDocumentChunks(1, 10, [
      chunk(0, 'kata baru satu', randomVec(r, 16)),
      chunk(1, 'kata baru dua', randomVec(r, 16)),
    ]);
    expect(store.getChunks(old)).toEqual([]);
    // AUTOINCREMENT: ids are never reused even though the old rows had the highest ids.
    expect(Math.min(...fresh)).toBeGreaterThan(Math.max(...old));
    expect(store.documentChunks(10).map((c) => c.text)).toEqual(['kata baru satu', 'kata baru dua']);
    expect(store.documentChunks(20).map((c) => c.id)).toEqual(other);
    expect(tableCounts(raw(), [16])).toEqual({ chunks: 4, vectors: 4, fts: 4, orphanVectors: 0, bits16: 4 });
    const d = raw();
    expect(count(d, 'vec_bits_16', `WHERE chunk_id IN (${old.join(',')})`)).toBe(0);
    expect(count(d, 'chunks_fts', `WHERE chunks_fts MATCH 'lama'`)).toBe(0);

    expect(store.keywordSearch([1], 'lama', 10)).toEqual([]);
    expect(
      store
        .keywordSearch([1], 'baru', 10)
        .map((h) => h.chunkId)
        .sort(),
    ).toEqual([...fresh].sort());

    // Replacing with an empty list removes the document.
    expect(store.replaceDocumentChunks(1, 10, [])).toEqual([]);
    expect(store.documentIds()).toEqual([20]);
  });

  it('deletes a document and only that document', () => {
    store.ensureCollection(1, 16);
    const r = rng(4);
    store.replaceDocumentChunks(1, 10, docChunks(r, 16, 3, 'alpha'));
    const keep = store.replaceDocumentChunks(1, 11, docChunks(r, 16, 2, 'beta'));
    expect(store.deleteDocumentChunks(10)).toBe(3);
    expect(store.deleteDocumentChunks(10)).toBe(0);
    expect(store.documentIds()).toEqual([11]);
    expect(store.documentChunks(10)).toEqual([]);
    expect(tableCounts(raw(), [16])).toEqual({ chunks: 2, vectors: 2, fts: 2, orphanVectors: 0, bits16: 2 });
    expect(store.keywordSearch([1], 'alpha', 10)).toEqual([]);
    expect(
      store
        .knn(1, randomVec(r, 16), 10)
        .map((h) => h.chunkId)
        .sort(),
    ).toEqual([...keep].sort());
  });

  it('drops a collection and leaves the others intact (two collections, different dims)', () => {
    store.ensureCollection(1, 16);
    store.ensureCollection(2, 32);
    store.ensureCollection(3, 16);
    expect(store.collectionDim(1)).toBe(16);
    expect(store.collectionDim(2)).toBe(32);
    expect(store.collectionDim(9)).toBeNull();
    expect(store.collectionIds()).toEqual([1, 2, 3]);
    const r = rng(5);
    store.replaceDocumentChunks(1, 10, docChunks(r, 16, 4, 'satu'));
    store.replaceDocumentChunks(1, 11, docChunks(r, 16, 3, 'satu'));
    const two = store.replaceDocumentChunks(2, 20, docChunks(r, 32, 5, 'dua'));
    const three = store.replaceDocumentChunks(3, 30, docChunks(r, 16, 2, 'tiga'));
    expect(tableCounts(raw(), [16, 32])).toEqual({
      chunks: 14,
      vectors: 14,
      fts: 14,
      orphanVectors: 0,
      bits16: 9,
      bits32: 5,
    });

    expect(store.dropCollection(1)).toBe(7);
    expect(store.collectionDim(1)).toBeNull();
    expect(store.collectionIds()).toEqual([2, 3]);
    expect(store.countChunks(1)).toBe(0);
    expect(store.documentIds()).toEqual([20, 30]);
    expect(tableCounts(raw(), [16, 32])).toEqual({
      chunks: 7,
      vectors: 7,
      fts: 7,
      orphanVectors: 0,
      bits16: 2,
      bits32: 5,
    });
    expect(store.knn(1, randomVec(r, 16), 5)).toEqual([]);
    expect(store.keywordSearch([1, 2, 3], 'satu', 10)).toEqual([]);
    expect(store.keywordSearch([1, 2, 3], 'dua tiga', 20)).toHaveLength(7);
    // Same-dimension neighbour keeps its binary vectors (coarse path forced via a tiny candidate list check below).
    expect(
      store
        .knn(3, randomVec(r, 16), 10)
        .map((h) => h.chunkId)
        .sort(),
    ).toEqual([...three].sort());
    expect(
      store
        .knn(2, randomVec(r, 32), 10)
        .map((h) => h.chunkId)
        .sort(),
    ).toEqual([...two].sort());
    expect(store.dropCollection(1)).toBe(0);

    // A dropped collection can come back with another embedder.
    store.ensureCollection(1, 24);
    expect(store.collectionDim(1)).toBe(24);
    store.replaceDocumentChunks(1, 10, docChunks(r, 24, 2));
    expect(tableCounts(raw(), [16, 24, 32])).toMatchObject({ chunks: 9, bits16: 2, bits24: 2, bits32: 5 });
  });

  it('validates dimensions', () => {
    store.ensureCollection(1, 16);
    store.ensureCollection(1, 16); // idempotent
    expect(() => store.ensureCollection(1, 32)).toThrow(/already uses 16-dimensional/);
    expect(() => store.ensureCollection(2, 12)).toThrow(/multiple of 8/);
    expect(() => store.ensureCollection(2, 0)).toThrow(/multiple of 8/);
    expect(() => store.ensureCollection(2, 8.5)).toThrow(/multiple of 8/);
    expect(store.collectionDim(2)).toBeNull();
    const r = rng(6);
    expect(() => store.replaceDocumentChunks(1, 10, [chunk(0, 'x', randomVec(r, 32))])).toThrow(
      /32 dimensions.*uses 16/,
    );
    expect(() => store.replaceDocumentChunks(5, 10, [chunk(0, 'x', randomVec(r, 16))])).toThrow(
      /ensureCollection/,
    );
    expect(() => store.knn(1, randomVec(r, 8), 5)).toThrow(/8 dimensions/);
    expect(store.countChunks()).toBe(0);
  });

  it('rejects non-finite embeddings and invalid chunks, rolling the whole replacement back', () => {
    store.ensureCollection(1, 16);
    const r = rng(7);
    const before = store.replaceDocumentChunks(1, 10, docChunks(r, 16, 2, 'asli'));
    const snapshot = store.documentChunks(10);

    for (const bad of [NaN, Infinity, -Infinity]) {
      const v = randomVec(r, 16);
      v[5] = bad;
      // The bad chunk comes last: the delete and the first inserts have already run inside the transaction.
      const chunks = [...docChunks(r, 16, 3, 'baru'), chunk(3, 'rusak', v)];
      expect(() => store.replaceDocumentChunks(1, 10, chunks)).toThrow(/chunk 3: .*non-finite/);
      expect(store.documentChunks(10)).toEqual(snapshot);
      expect(tableCounts(raw(), [16])).toEqual({
        chunks: 2,
        vectors: 2,
        fts: 2,
        orphanVectors: 0,
        bits16: 2,
      });
    }
    // A constraint failure in SQLite (duplicate ordinal) rolls back too.
    const dup = [chunk(0, 'baru', randomVec(r, 16)), chunk(0, 'baru lagi', randomVec(r, 16))];
    expect(() => store.replaceDocumentChunks(1, 10, dup)).toThrow(/UNIQUE/);
    expect(store.documentChunks(10).map((c) => c.id)).toEqual(before);
    expect(store.keywordSearch([1], 'baru', 10)).toEqual([]);
    expect(tableCounts(raw(), [16])).toEqual({ chunks: 2, vectors: 2, fts: 2, orphanVectors: 0, bits16: 2 });
    // A non-integer page is rejected as well.
    expect(() =>
      store.replaceDocumentChunks(1, 10, [chunk(0, 'x', randomVec(r, 16), { page: 1.5 })]),
    ).toThrow(/page/);
    expect(store.documentChunks(10).map((c) => c.id)).toEqual(before);
  });

  it('knn exact returns the true nearest neighbours', () => {
    store.ensureCollection(1, 32);
    store.ensureCollection(2, 32);
    const r = rng(8);
    const vectors: Float32Array[] = [];
    const ids: number[] = [];
    for (let d = 0; d < 5; d++) {
      const cs = docChunks(r, 32, 100, `doc${d}`);
      vectors.push(...cs.map((c) => c.embedding));
      ids.push(...store.replaceDocumentChunks(1, d, cs));
    }
    const otherIds = new Set(store.replaceDocumentChunks(2, 99, docChunks(r, 32, 50)));

    const target = 123;
    const q = Float32Array.from(vectors[target]!, (x) => x * 3 + gaussian(r) * 0.05); // scaled + noise
    const hits = store.knn(1, q, 10);
    expect(hits).toHaveLength(10);
    expect(hits[0]!.chunkId).toBe(ids[target]);
    expect(hits[0]!.distance).toBeLessThan(0.1);
    for (let i = 1; i < hits.length; i++)
      expect(hits[i]!.distance).toBeGreaterThanOrEqual(hits[i - 1]!.distance);
    for (const h of hits) expect(otherIds.has(h.chunkId)).toBe(false);

    // Same ranking and distances as a JS brute force over normalized vectors.
    const qn = normalizeL2(q);
    const truth = vectors
      .map((v, i) => ({ chunkId: ids[i]!, distance: l2Distance(normalizeL2(v), qn) }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, 10);
    expect(hits.map((h) => h.chunkId)).toEqual(truth.map((t) => t.chunkId));
    hits.forEach((h, i) => expect(h.distance).toBeCloseTo(truth[i]!.distance, 4));

    // The identical vector is at distance 0, and unit-vector distances stay within [0, 2].
    expect(store.knn(1, vectors[7]!, 1)[0]).toMatchObject({ chunkId: ids[7] });
    expect(store.knn(1, vectors[7]!, 1)[0]!.distance).toBeCloseTo(0, 5);
    const far = store.knn(1, q, 500);
    expect(far).toHaveLength(500);
    expect(far.at(-1)!.distance).toBeLessThanOrEqual(2);
    expect(store.knn(1, q, 0)).toEqual([]);
    expect(store.knn(42, new Float32Array(32), 5)).toEqual([]);
  });

  it('coarse binary pass + exact rescoring keeps recall@10 ≥ 0.9 on > 5,000 clustered vectors', () => {
    const dim = 64;
    const n = 6000;
    const r = rng(9);
    const centroids = Array.from({ length: 60 }, () => randomVec(r, dim));
    store.ensureCollection(1, dim);
    const vectors: Float32Array[] = [];
    const ids: number[] = [];
    const t0 = performance.now();
    for (let d = 0; d < n / 200; d++) {
      const cs: ChunkInput[] = [];
      for (let i = 0; i < 200; i++) {
        const c = centroids[Math.floor(r() * centroids.length)]!;
        const v = Float32Array.from(c, (x) => x + gaussian(r) * 0.6);
        vectors.push(v);
        cs.push(chunk(i, `dokumen ${d} bagian ${i}`, v));
      }
      ids.push(...store.replaceDocumentChunks(1, d, cs));
    }
    const insertMs = performance.now() - t0;
    expect(store.countChunks(1)).toBe(n);
    expect(n).toBeGreaterThan(EXACT_SEARCH_MAX_CHUNKS);

    const queries = Array.from({ length: 50 }, () => {
      const c = centroids[Math.floor(r() * centroids.length)]!;
      return Float32Array.from(c, (x) => x + gaussian(r) * 0.6);
    });
    let hit = 0;
    let coarseMs = 0;
    let exactMs = 0;
    let smallCandidateMisses = 0;
    for (const q of queries) {
      let t = performance.now();
      const coarse = store.knn(1, q, 10);
      coarseMs += performance.now() - t;
      t = performance.now();
      const exact = store.knn(1, q, 10, { exact: true });
      exactMs += performance.now() - t;
      expect(coarse).toHaveLength(10);
      const truth = new Set(exact.map((h) => h.chunkId));
      hit += coarse.filter((h) => truth.has(h.chunkId)).length;
      // Rescored distances are the exact ones.
      const exactById = new Map(store.knn(1, q, 400, { exact: true }).map((h) => [h.chunkId, h.distance]));
      for (const h of coarse)
        if (exactById.has(h.chunkId)) expect(h.distance).toBeCloseTo(exactById.get(h.chunkId)!, 5);
      // With only k candidates the binary pass alone decides: that must differ from exact sometimes,
      // which proves the coarse path (not brute force) is what ran.
      const tiny = store.knn(1, q, 10, { candidates: 10 });
      if (tiny.some((h) => !truth.has(h.chunkId))) smallCandidateMisses++;
    }
    const recall = hit / (queries.length * 10);
    expect(recall).toBeGreaterThanOrEqual(0.9);
    expect(smallCandidateMisses).toBeGreaterThan(0);

    // JS truth check of the exact path for one query.
    const q0 = normalizeL2(queries[0]!);
    const best = vectors.reduce(
      (acc, v, i) => {
        const d = l2Distance(normalizeL2(v), q0);
        return d < acc.d ? { i, d } : acc;
      },
      { i: -1, d: Infinity },
    );
    expect(store.knn(1, queries[0]!, 1, { exact: true })[0]!.chunkId).toBe(ids[best.i]);

    const t = performance.now();
    store.checkpoint();
    const checkpointMs = performance.now() - t;
    console.log(
      `[vectors] insert ${n}×${dim}: ${insertMs.toFixed(0)} ms (${Math.round(n / (insertMs / 1000))} chunks/s); ` +
        `knn k=10 coarse ${(coarseMs / queries.length).toFixed(2)} ms/query, exact ${(exactMs / queries.length).toFixed(2)} ms/query; ` +
        `recall@10 ${recall.toFixed(3)}; checkpoint ${checkpointMs.toFixed(1)} ms; sizes ${JSON.stringify(store.fileSizes())}`,
    );
  });

  it('keyword search finds Indonesian words, folds case and diacritics, and respects collections', () => {
    store.ensureCollection(1, 8);
    store.ensureCollection(2, 8);
    const r = rng(10);
    const [pkwt, pesangon, heading] = store.replaceDocumentChunks(1, 10, [
      chunk(
        0,
        'Perjanjian kerja waktu tertentu (PKWT) wajib dibuat secara tertulis dalam bahasa Indonesia.',
        randomVec(r, 8),
      ),
      chunk(1, 'Uang pesangon dihitung berdasarkan masa kerja pekerja/buruh.', randomVec(r, 8)),
      chunk(2, 'Isi bagian ini tanpa kata kunci.', randomVec(r, 8), {
        headingPath: ['Undang-Undang Ketenagakerjaan', 'Cuti'],
      }),
    ]);
    const [resume, cafe] = store.replaceDocumentChunks(2, 20, [
      chunk(0, 'Send your resume before Friday.', randomVec(r, 8)),
      chunk(1, 'Rapat di Café Kopi Tubruk, São Paulo.', randomVec(r, 8)),
    ]);

    expect(store.keywordSearch([1], 'PKWT', 5).map((h) => h.chunkId)).toEqual([pkwt]);
    expect(store.keywordSearch([1], 'berapa uang PESANGON?', 5).map((h) => h.chunkId)).toEqual([pesangon]);
    const kerja = store.keywordSearch([1], 'perjanjian kerja', 5);
    expect(kerja.map((h) => h.chunkId)).toEqual([pkwt, pesangon]); // pkwt matches both terms
    expect(kerja[0]!.score).toBeGreaterThan(kerja[1]!.score);
    expect(kerja[1]!.score).toBeGreaterThan(0);
    expect(store.keywordSearch([1], 'ketenagakerjaan cuti', 5).map((h) => h.chunkId)).toEqual([heading]);

    expect(store.keywordSearch([2], 'résumé', 5).map((h) => h.chunkId)).toEqual([resume]);
    expect(store.keywordSearch([2], 'RESUME', 5).map((h) => h.chunkId)).toEqual([resume]);
    expect(store.keywordSearch([2], 'cafe sao', 5).map((h) => h.chunkId)).toEqual([cafe]);

    // Restricted to the given collections.
    expect(store.keywordSearch([1], 'resume', 5)).toEqual([]);
    expect(
      store
        .keywordSearch([1, 2], 'resume pkwt', 5)
        .map((h) => h.chunkId)
        .sort(),
    ).toEqual([pkwt, resume].sort());
    expect(store.keywordSearch([], 'resume', 5)).toEqual([]);
    expect(store.keywordSearch([1, 2], 'kerja', 1)).toHaveLength(1);
    expect(store.keywordSearch([1, 2], '?!', 5)).toEqual([]);
  });

  it.each([
    '"',
    '""',
    'AND OR NOT',
    '*',
    'NEAR(',
    'NEAR(a b, 5)',
    'col:val',
    'text:pkwt',
    '{text}: x',
    '^pkwt',
    '-pkwt',
    '😀🎉',
    `'; DROP TABLE chunks; --`,
    `" OR 1=1 --`,
    '\u0000',
    '\ud800',
    'résumé*',
    '(((',
    'x'.repeat(10_000),
    'pkwt '.repeat(2500),
  ])('keywordSearch survives nasty input %#', (input) => {
    store.ensureCollection(1, 8);
    store.replaceDocumentChunks(1, 1, [chunk(0, 'PKWT resume x text col val', randomVec(rng(11), 8))]);
    expect(() => store.keywordSearch([1], input, 10)).not.toThrow();
    expect(store.countChunks()).toBe(1);
  });

  it('refuses a database written by a newer schema', () => {
    store.close();
    const d = new Database(file);
    d.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    d.close();
    expect(() => openVectorStore(file)).toThrow(
      `collections.db was written by a newer Pustaka (schema ${SCHEMA_VERSION + 1} > ${SCHEMA_VERSION})`,
    );
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 1);
    check.close();
    store = openVectorStore(path.join(dir, 'other.db')); // keep afterEach happy
  });

  it('keeps data across reopen and continues ids', () => {
    store.ensureCollection(1, 16);
    const r = rng(12);
    const cs = docChunks(r, 16, 3, 'bertahan');
    const ids = store.replaceDocumentChunks(1, 10, cs);
    store.deleteDocumentChunks(10);
    const ids2 = store.replaceDocumentChunks(1, 10, cs);
    store.close();

    store = openVectorStore(file);
    expect(store.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(store.collectionDim(1)).toBe(16);
    expect(store.documentChunks(10).map((c) => c.id)).toEqual(ids2);
    expect(store.knn(1, cs[1]!.embedding, 1)[0]!.chunkId).toBe(ids2[1]);
    expect(store.keywordSearch([1], 'bertahan', 10)).toHaveLength(3);
    const ids3 = store.replaceDocumentChunks(1, 11, docChunks(r, 16, 1));
    expect(ids3[0]!).toBeGreaterThan(Math.max(...ids, ...ids2));
    expect(raw().pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('checkpoint truncates the WAL', () => {
    store.ensureCollection(1, 16);
    store.replaceDocumentChunks(1, 1, docChunks(rng(13), 16, 50));
    expect(store.fileSizes().wal).toBeGreaterThan(0);
    store.checkpoint();
    const sizes = store.fileSizes();
    expect(sizes.wal).toBe(0);
    expect(sizes.db).toBeGreaterThan(0);
  });
});
