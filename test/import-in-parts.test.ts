import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getCollection } from '../core/knowledge/collections/collections.ts';
import { runImport } from '../core/knowledge/import/importer.ts';
import { ingestPoolService } from '../core/knowledge/import/ingest-pool.ts';
import { PART_CHUNKS } from '../core/knowledge/import/file-task-types.ts';
import { createBuiltinEmbedder } from '../core/models/embed/builtin.ts';
import type { VectorStore } from '../core/stores/vectors/store.ts';
import { manyPagePdf, pageSentence, pageWord } from './support/big-pdf.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { writeFile } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

/** What a search could find of the collection at one moment, read while the import runs. */
interface Seen {
  staged: number;
  visible: number[];
  keyword: number;
  nearest: number;
}

/**
 * Imports `file` into "Handbook" and, each time a part of it has been written, notes what is
 * staged and what searches see at that moment: the document's visible chunks, keyword hits for a
 * word only its first page has, and the chunks nearest to that page's text. The store is the real
 * one; the import is handed a view of it that only watches its writes.
 */
async function importWatching(t: TestEngine, file: string, docId: number | null) {
  const c = await getCollection(t.engine.db, t.engine.vectors, 'Handbook');
  const query = (await createBuiltinEmbedder().embed([pageSentence(1)]))[0]!;
  const seen: Seen[] = [];
  const store = t.engine.vectors;
  const watched: VectorStore = {
    ...store,
    stageChunks(stageId, chunks) {
      store.stageChunks(stageId, chunks);
      seen.push({
        staged: store.stagedChunkCount(),
        visible: docId === null ? [] : store.documentChunks(docId).map((ch) => ch.id),
        keyword: store.keywordSearch([c.id], pageWord(1), 10).length,
        nearest: store.knn(c.id, query, 10, { exact: true }).length,
      });
    },
  };
  const summary = await importThrough(t, watched, file);
  return { summary, seen };
}

/** Imports `file` into "Handbook" with the real importer, writing through `vectors`. */
async function importThrough(t: TestEngine, vectors: VectorStore, file: string) {
  const c = await getCollection(t.engine.db, t.engine.vectors, 'Handbook');
  return runImport(
    {
      db: t.engine.db,
      vectors,
      events: t.engine.events,
      pool: t.engine.services.get(ingestPoolService),
      embedder: null,
    },
    {
      id: c.id,
      name: c.name,
      embedderId: c.embedderId,
      chunkSize: c.chunkSize,
      chunkOverlap: c.chunkOverlap,
    },
    { paths: [file] },
  );
}

async function documentId(t: TestEngine, file: string): Promise<number> {
  const [row] = await t.engine.db.query<{ id: number }>('SELECT id FROM documents WHERE source_path = $1', [
    file,
  ]);
  return Number(row!.id);
}

describe('a large document is written in parts', () => {
  it('stages its chunks part by part where no search sees them, shows it whole at the end, and keeps the old version searchable while a new one is staged', async () => {
    const t = await openTestEngine();
    const warm = writeFile(tempDir(), 'warm.txt', 'Stay permits are renewed at the immigration office.');
    await t.client.call('import.run', { collection: 'Handbook', create: true, paths: [warm] });
    const file = writeFile(tempDir(), 'handbook.pdf', manyPagePdf(1_200));

    // First import: while it is read, parts are staged, and nothing of the document is found.
    const first = await importWatching(t, file, null);
    expect(first.summary).toMatchObject({ status: 'done', imported: 1, failed: [] });
    // Part after part: the staged count grows by a part each time, the whole document never at once.
    const midway = first.seen;
    expect(midway.length).toBeGreaterThanOrEqual(4);
    expect(midway.map((s) => s.staged).slice(0, 3)).toEqual([1, 2, 3].map((n) => n * PART_CHUNKS));
    for (const s of midway) {
      expect(s.keyword).toBe(0); // no keyword hit: FTS has none of it
      expect(s.nearest).toBe(1); // only the warm-up file's chunk: no vector of it either
    }
    // Done: all of it visible at once, nothing left staged.
    const id = await documentId(t, file);
    const v1 = t.engine.vectors.documentChunks(id);
    expect(v1.length).toBeGreaterThanOrEqual(1_200);
    expect(t.engine.vectors.stagedChunkCount()).toBe(0);
    const hits = await t.client.call('search', { query: pageWord(1_100), collections: ['Handbook'], k: 3 });
    expect(hits.items[0]).toMatchObject({ sourcePath: file, page: 1_100 });
    const [doc] = (await t.client.call('documents.list', { collection: 'Handbook', limit: 10 })).items.filter(
      (d) => d.sourcePath === file,
    );
    expect(doc).toMatchObject({ status: 'indexed', chunkCount: v1.length, pageCount: 1_200 });

    // Re-import of a longer version: the old one stays whole and searchable until the new one is in.
    fs.writeFileSync(file, manyPagePdf(1_500));
    const second = await importWatching(t, file, id);
    expect(second.summary).toMatchObject({ status: 'done', updated: 1, failed: [] });
    const during = second.seen;
    expect(during.length).toBeGreaterThanOrEqual(5);
    const oldIds = v1.map((ch) => ch.id);
    for (const s of during) {
      expect(s.visible).toEqual(oldIds);
      expect(s.keyword).toBe(1); // the old version's first page, once
    }
    const v2 = t.engine.vectors.documentChunks(id);
    expect(v2.length).toBeGreaterThanOrEqual(1_500);
    expect(v2.some((ch) => oldIds.includes(ch.id))).toBe(false);
    expect(t.engine.vectors.stagedChunkCount()).toBe(0);
    const late = await t.client.call('search', { query: pageWord(1_400), collections: ['Handbook'], k: 3 });
    expect(late.items[0]).toMatchObject({ sourcePath: file, page: 1_400 });
  }, 240_000);
});

describe('a document whose staging is lost while it is written', () => {
  it('is read again from its start (as when collections.db is replaced under an import), and imported whole', async () => {
    const t = await openTestEngine();
    const warm = writeFile(tempDir(), 'warm.txt', 'Stay permits are renewed at the immigration office.');
    await t.client.call('import.run', { collection: 'Handbook', create: true, paths: [warm] });
    const file = writeFile(tempDir(), 'handbook.pdf', manyPagePdf(800));
    const store = t.engine.vectors;
    let parts = 0;
    const losing: VectorStore = {
      ...store,
      stageChunks(stageId, chunks) {
        store.stageChunks(stageId, chunks);
        if (++parts === 2) store.discardStaged(); // what a replaced file loses
      },
    };
    const summary = await importThrough(t, losing, file);
    expect(summary).toMatchObject({ status: 'done', imported: 1, failed: [] });
    const id = await documentId(t, file);
    const chunks = store.documentChunks(id);
    expect(chunks.length).toBeGreaterThanOrEqual(800);
    expect(chunks.map((ch) => ch.ordinal)).toEqual(chunks.map((_, i) => i));
    expect(parts).toBeGreaterThan(Math.ceil(chunks.length / PART_CHUNKS) + 1); // the second read's parts too
    expect(store.stagedChunkCount()).toBe(0);
    const [doc] = await t.engine.db.query<{ chunk_count: number }>(
      'SELECT chunk_count FROM documents WHERE id = $1',
      [id],
    );
    expect(Number(doc!.chunk_count)).toBe(chunks.length);
  }, 120_000);
});
