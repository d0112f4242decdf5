/**
 * How the vector store notices a damaged file (header check at open, quick_check in a worker,
 * SQLITE_CORRUPT at run time) and replaces it under the same store object.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isPustakaError } from '../../base/errors.ts';
import { headerProblem } from './integrity.ts';
import { openVectorStore, rawHandleForTests, type ChunkInput, type VectorStore } from './store.ts';

const DIM = 16;
const PAGE = 4096;
let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-damage-'));
  file = path.join(dir, 'collections.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function chunk(ordinal: number): ChunkInput {
  const embedding = new Float32Array(DIM).map((_, i) => Math.sin(ordinal * 7 + i));
  return {
    ordinal,
    text: `passage ${ordinal} about kitas sponsor letters and tax residency ${'words '.repeat(200)}`,
    headingPath: ['Guide'],
    page: null,
    charStart: 0,
    charEnd: 10,
    tokenCount: 10,
    embedding,
  };
}

/** A store of a few hundred pages, checkpointed into the main file and closed. */
function buildFile(): number {
  const store = openVectorStore(file);
  store.ensureCollection(1, DIM);
  for (let d = 1; d <= 40; d++)
    store.replaceDocumentChunks(
      1,
      d,
      Array.from({ length: 10 }, (_, i) => chunk(d * 100 + i)),
    );
  store.checkpoint();
  store.close();
  return Math.floor(fs.statSync(file).size / PAGE);
}

function overwrite(first: number, count: number): void {
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, crypto.randomBytes(count * PAGE), 0, count * PAGE, first * PAGE);
  fs.closeSync(fd);
}

describe('headerProblem (the check at every open)', () => {
  it('passes a missing, empty or whole file and names a truncated or foreign one', () => {
    expect(headerProblem(file)).toBeNull();
    fs.writeFileSync(file, '');
    expect(headerProblem(file)).toBeNull();
    const pages = buildFile();
    expect(headerProblem(file)).toBeNull();
    fs.truncateSync(file, Math.floor(pages / 2) * PAGE);
    expect(headerProblem(file)).toMatch(/truncated: its header counts \d+ pages/);
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    expect(headerProblem(file)).toBe('the file is not an SQLite database');
  });

  it('a truncated file refuses to open with a damage code (start-up sets it aside)', () => {
    const pages = buildFile();
    fs.truncateSync(file, Math.floor(pages / 3) * PAGE);
    expect(() => openVectorStore(file)).toThrow(expect.objectContaining({ code: 'SQLITE_CORRUPT' }));
  });
});

describe('damage met at run time', () => {
  let store: VectorStore;
  afterEach(() => store.close());

  it('is reported to the listener and thrown as index_rebuilding, and reset gives an empty store', () => {
    const pages = buildFile();
    store = openVectorStore(file);
    const causes: unknown[] = [];
    store.onDamage((cause) => causes.push(cause));
    overwrite(Math.floor(pages / 3), Math.floor(pages / 2));
    rawHandleForTests(store).pragma('shrink_memory');

    let thrown: unknown;
    try {
      for (let d = 1; d <= 40; d++) store.documentChunks(d);
      store.keywordSearch([1], 'kitas sponsor', 10);
      store.knn(1, chunk(5).embedding, 5, { exact: true });
    } catch (err) {
      thrown = err;
    }
    expect(isPustakaError(thrown) && thrown.code).toBe('index_rebuilding');
    expect((thrown as Error).message).toContain('is damaged (database disk image is malformed)');
    expect(causes.length).toBeGreaterThan(0);

    const moved = path.join(dir, 'collections.db.damaged');
    store.reset(() => fs.renameSync(file, moved));
    expect(fs.existsSync(moved)).toBe(true);
    expect(store.collectionIds()).toEqual([]);
    store.ensureCollection(1, DIM);
    expect(store.replaceDocumentChunks(1, 1, [chunk(1)])).toHaveLength(1);
    expect(store.quickCheck()).toBe('ok');
  });

  it('a reset whose set-aside fails leaves the store open on the file it had', () => {
    buildFile();
    store = openVectorStore(file);
    const before = store.countChunks();
    expect(() =>
      store.reset(() => {
        throw new Error('EBUSY: the file is held open elsewhere');
      }),
    ).toThrow(/EBUSY/);
    expect(store.countChunks()).toBe(before); // not "the database connection is not open"
  });

  it('without a listener the SQLite error is passed on unchanged (backup checks read it)', () => {
    const pages = buildFile();
    store = openVectorStore(file);
    overwrite(1, pages - 1);
    rawHandleForTests(store).pragma('shrink_memory');
    expect(() => store.countChunks()).toThrow(expect.objectContaining({ code: 'SQLITE_CORRUPT' }));
  });

  it('verifyFile runs quick_check in a worker and reports what it finds', async () => {
    const pages = buildFile();
    store = openVectorStore(file);
    expect(await store.verifyFile()).toMatchObject({ ok: true, damaged: false });
    const causes: unknown[] = [];
    store.onDamage((cause) => causes.push(cause));
    overwrite(Math.floor(pages / 3), 8);
    const found = await store.verifyFile();
    expect(found).toMatchObject({ ok: false, damaged: true });
    expect(causes).toHaveLength(1);
  });
});
