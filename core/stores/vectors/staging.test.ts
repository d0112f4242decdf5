import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isStagingGone, openVectorStore, rawHandleForTests } from './store.ts';
import type { ChunkInput, VectorStore } from './store.ts';

let dir: string;
let store: VectorStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-staging-'));
  store = openVectorStore(path.join(dir, 'collections.db'));
  store.ensureCollection(1, 16);
  store.ensureCollection(2, 16);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A vector pointing mostly along axis `axis`, so the nearest chunk to a query is known. */
function along(axis: number, dim = 16): Float32Array {
  const v = new Float32Array(dim).fill(0.01);
  v[axis % dim] = 1;
  return v;
}

function chunks(from: number, n: number, word: string, dim = 16): ChunkInput[] {
  return Array.from({ length: n }, (_, i) => ({
    ordinal: from + i,
    text: `${word} ${from + i}`,
    headingPath: ['Part'],
    page: from + i + 1,
    charStart: 0,
    charEnd: 1,
    tokenCount: 2,
    embedding: along(from + i, dim),
  }));
}

/** What any search can reach: rows, FTS, float vectors and coarse-pass bits, all consistent. */
function searchable(collectionId = 1) {
  const db = rawHandleForTests(store);
  db.prepare("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')").run();
  const n = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
  return {
    chunks: store.countChunks(collectionId),
    fts: n('SELECT count(*) AS n FROM chunks_fts_docsize'),
    vectors: n('SELECT count(*) AS n FROM chunk_vectors'),
    bits: n(`SELECT count(*) AS n FROM vec_bits_16 WHERE collection_id = ${collectionId}`),
  };
}

describe('staging a document in parts', () => {
  it('keeps staged parts out of every search until the commit swaps the whole version in', () => {
    store.replaceDocumentChunks(1, 7, chunks(0, 2, 'lama'));
    const oldIds = store.documentChunks(7).map((c) => c.id);
    const stage = store.beginStagedDocument(1, 7);
    store.stageChunks(stage, chunks(0, 3, 'baru'));
    store.stageChunks(stage, chunks(3, 3, 'baru'));
    expect(store.stagedChunkCount(stage)).toBe(6);

    // Staged: found by no search, counted nowhere; the old version is whole.
    expect(store.keywordSearch([1], 'baru', 10)).toEqual([]);
    expect(store.keywordSearch([1, 2], 'baru', 10)).toEqual([]);
    expect(store.knn(1, along(5), 10).map((h) => h.chunkId)).toEqual(expect.arrayContaining(oldIds));
    expect(store.knn(1, along(5), 10, { exact: true })).toHaveLength(2);
    expect(store.documentChunks(7).map((c) => c.id)).toEqual(oldIds);
    expect(store.documentIds()).toEqual([7]);
    expect(searchable()).toEqual({ chunks: 2, fts: 2, vectors: 2, bits: 2 });

    expect(store.commitStagedDocument(stage, 6)).toBe(6);
    const now = store.documentChunks(7);
    expect(now.map((c) => [c.ordinal, c.text, c.page])).toEqual(
      Array.from({ length: 6 }, (_, i) => [i, `baru ${i}`, i + 1]),
    );
    expect(now.some((c) => oldIds.includes(c.id))).toBe(false);
    expect(store.keywordSearch([1], 'lama', 10)).toEqual([]);
    expect(store.keywordSearch([1], 'baru', 10)).toHaveLength(6);
    expect(store.knn(1, along(5), 1)[0]!.chunkId).toBe(now[5]!.id);
    expect(searchable()).toEqual({ chunks: 6, fts: 6, vectors: 6, bits: 6 });
    expect(store.stagedChunkCount()).toBe(0);
    expect(() => store.stageChunks(stage, chunks(6, 1, 'late'))).toThrow(/staged document .* is gone/);
  });

  it('refuses a commit that lacks parts, changing nothing; a discard leaves the old version', () => {
    store.replaceDocumentChunks(1, 7, chunks(0, 2, 'lama'));
    const before = store.documentChunks(7);
    const stage = store.beginStagedDocument(1, 7);
    store.stageChunks(stage, chunks(0, 3, 'baru'));
    expect(() => store.commitStagedDocument(stage, 4)).toThrow('document 7: 3 of its 4 chunks were staged');
    expect(store.documentChunks(7)).toEqual(before);
    expect(store.stagedChunkCount(stage)).toBe(3);
    expect(store.discardStaged(stage)).toBe(3);
    expect(store.documentChunks(7)).toEqual(before);
    expect(searchable()).toEqual({ chunks: 2, fts: 2, vectors: 2, bits: 2 });
    let gone: unknown;
    try {
      store.commitStagedDocument(stage);
    } catch (err) {
      gone = err;
    }
    expect(isStagingGone(gone)).toBe(true);
  });

  it('checks each part like a whole document, and a bad part leaves the parts before it', () => {
    const stage = store.beginStagedDocument(1, 7);
    store.stageChunks(stage, chunks(0, 2, 'baik'));
    expect(() => store.stageChunks(stage, chunks(2, 2, 'salah', 24))).toThrow(
      'chunk 0: embedding has 24 dimensions, collection 1 uses 16',
    );
    expect(() => store.stageChunks(stage, chunks(1, 1, 'lagi'))).toThrow(/UNIQUE/);
    expect(store.stagedChunkCount(stage)).toBe(2);
    expect(() => store.beginStagedDocument(9, 7)).toThrow(/collection 9 has no embedding dimension/);
  });

  it('keeps two stagings of one document apart: each commit swaps in its own whole version', () => {
    const a = store.beginStagedDocument(1, 7);
    const b = store.beginStagedDocument(1, 7);
    store.stageChunks(a, chunks(0, 2, 'satu'));
    store.stageChunks(b, chunks(0, 3, 'dua'));
    expect(store.commitStagedDocument(b, 3)).toBe(3);
    expect(store.commitStagedDocument(a, 2)).toBe(2);
    expect(store.documentChunks(7).map((c) => c.text)).toEqual(['satu 0', 'satu 1']);
    expect(searchable()).toEqual({ chunks: 2, fts: 2, vectors: 2, bits: 2 });
  });

  it('drops what is staged with the collection, and everything when asked (start-up)', () => {
    const one = store.beginStagedDocument(1, 7);
    const two = store.beginStagedDocument(2, 8);
    store.stageChunks(one, chunks(0, 2, 'satu'));
    store.stageChunks(two, chunks(0, 3, 'dua'));
    store.dropCollection(1);
    expect(store.stagedChunkCount()).toBe(3);
    expect(() => store.stageChunks(one, chunks(2, 1, 'satu'))).toThrow(/is gone/);
    const three = store.beginStagedDocument(2, 9);
    store.stageChunks(three, chunks(0, 1, 'tiga'));
    expect(store.discardStaged()).toBe(4);
    expect(store.stagedChunkCount()).toBe(0);
    const db = rawHandleForTests(store);
    expect(db.prepare('SELECT count(*) AS n FROM staged_documents').get()).toEqual({ n: 0 });
  });
});
