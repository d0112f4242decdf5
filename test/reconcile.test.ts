import { describe, expect, it } from 'vitest';
import { openEngine } from '../core/startup/open-engine.ts';
import type { ChunkInput } from '../core/stores/vectors/store.ts';
import { tempDir } from './support/temp-dir.ts';

function chunk(ordinal: number, dim: number): ChunkInput {
  const embedding = new Float32Array(dim);
  embedding[ordinal % dim] = 1;
  return {
    ordinal,
    text: `chunk ${ordinal}`,
    headingPath: [],
    page: null,
    charStart: 0,
    charEnd: 7,
    tokenCount: 2,
    embedding,
  };
}

const HASH = 'a'.repeat(64);

describe('start-up reconciler (PG is the truth, SQLite is derived)', () => {
  it('drops derived data PG no longer vouches for and flags indexed documents whose chunks are gone', async () => {
    const dataDir = tempDir();
    let engine = await openEngine({ dataDir });
    const [col] = await engine.db.query<{ id: number }>(
      "INSERT INTO collections (name, embedder_id, embedding_dim) VALUES ('c', 'e', 8) RETURNING id",
    );
    const docs = await engine.db.query<{ id: number; source_path: string }>(
      `INSERT INTO documents (collection_id, source_path, content_hash, status, chunk_count)
       VALUES ($1, 'indexed.txt', $2, 'indexed', 1), ($1, 'half.txt', $2, 'embedding', 0), ($1, 'lost.txt', $2, 'indexed', 2),
              ($1, 'empty.txt', $2, 'indexed', 0)
       RETURNING id, source_path`,
      [col!.id, HASH],
    );
    const id = (name: string) => Number(docs.find((d) => d.source_path === name)!.id);
    engine.vectors.ensureCollection(col!.id, 8);
    engine.vectors.replaceDocumentChunks(col!.id, id('indexed.txt'), [chunk(0, 8)]);
    engine.vectors.replaceDocumentChunks(col!.id, id('half.txt'), [chunk(0, 8), chunk(1, 8)]); // import cut short
    // A collection deleted in PG whose SQLite side never got removed (crash in between).
    engine.vectors.ensureCollection(999, 8);
    engine.vectors.replaceDocumentChunks(999, 12345, [chunk(0, 8)]);
    await engine.close();

    engine = await openEngine({ dataDir });
    expect(engine.reconcile).toEqual({
      droppedCollections: [999],
      orphanDocuments: [id('half.txt')], // 12345 went with its dropped collection
      missingChunks: [id('lost.txt')],
      // Chunks written without a title (replaceDocumentChunks) would get it from PG: these
      // documents have none there.
      titlesAdded: 0,
    });
    expect(engine.vectors.documentIds().sort()).toEqual([id('indexed.txt')]);
    expect(engine.vectors.collectionIds()).toEqual([Number(col!.id)]);
    const [lost] = await engine.db.query<{ status: string }>('SELECT status FROM documents WHERE id = $1', [
      id('lost.txt'),
    ]);
    expect(lost!.status).toBe('pending');
    const [empty] = await engine.db.query<{ status: string }>('SELECT status FROM documents WHERE id = $1', [
      id('empty.txt'),
    ]);
    expect(empty!.status).toBe('indexed');
    await engine.close();
  });
});
