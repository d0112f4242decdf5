/**
 * Search while a collection is switched to a GGUF embedding model (collections.setEmbedder):
 * while the re-embedding runs and after it was cut, searches answer from the old vectors with the
 * old embedder, unchanged and without error; once it finished (or was resumed), they use the new
 * embedder. The new embedder's second batch waits on a gate, so "in flight" is certain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SearchParams, SearchResult } from '../core/contract/methods/search.ts';
import type { Engine } from '../core/engine/engine.ts';
import type { Embedder } from '../core/models/embed/types.ts';
import { BUILTIN_EMBEDDER } from '../core/models/embed/builtin-spec.ts';
import { collectionEmbedderId, stagingCounts } from '../core/stores/vectors/reembed.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const QUERIES: Pick<SearchParams, 'query' | 'mode'>[] = [
  { query: 'izin tinggal terbatas 3', mode: 'vector' },
  { query: 'sponsor permit number 17', mode: 'vector' },
  { query: 'pekerja asing sponsor', mode: 'hybrid' },
];

// One generated model file for the file (each engine loads it on its own).
const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-reembed-search-'));
const model = path.join(modelDir, 'tiny-embed.gguf');
beforeAll(() => writeTinyLlama(model, { quant: 'q8_0', seed: 7 }));
afterAll(() => fs.rmSync(modelDir, { recursive: true, force: true }));

async function setup() {
  const root = tempDir();
  for (let i = 0; i < 18; i++) {
    fs.writeFileSync(
      path.join(root, `note-${i}.md`),
      `# Note ${i}\n\nIzin tinggal terbatas ${i} untuk pekerja asing.\n\n## More\n\nThe sponsor applies for permit number ${i}.`,
    );
  }
  const t = await openTestEngine();
  const imported = await t.client.call('import.run', { collection: 'K', create: true, paths: [root] });
  const collection = await t.client.call('collections.get', { collection: 'K' });
  expect(imported.chunks).toBeGreaterThan(32); // more than two batches of 16
  return { ...t, model, chunks: imported.chunks, collectionId: collection.id };
}

/** Records the id of the embedder each search embedded its query with. */
function recordQueryEmbedders(engine: Engine): string[] {
  const used: string[] = [];
  const forCollection = engine.embedders.forCollection.bind(engine.embedders);
  vi.spyOn(engine.embedders, 'forCollection').mockImplementation(async (spec) => {
    const e = await forCollection(spec);
    used.push(e.id);
    return e;
  });
  return used;
}

/** The new embedder's embed() stops before its second batch until `release` is called. */
function gateSecondBatch(embedder: Embedder) {
  let reached!: () => void;
  let release!: () => void;
  const atGate = new Promise<void>((r) => (reached = r));
  const opened = new Promise<void>((r) => (release = r));
  const embed = embedder.embed.bind(embedder);
  let calls = 0;
  const spy = vi.spyOn(embedder, 'embed').mockImplementation(async (texts, signal) => {
    if (++calls === 2) {
      reached();
      await opened;
    }
    return embed(texts, signal);
  });
  return { atGate, release, restore: () => spy.mockRestore() };
}

/** Every query through the dispatcher (errors would show as ok: false), not from the search cache. */
async function searchAll(t: TestEngine): Promise<SearchResult[]> {
  t.engine.caches.get('search').clear();
  const out: SearchResult[] = [];
  for (const q of QUERIES) {
    const res = await t.dispatcher.call('search', { ...q, collections: ['K'], k: 5 });
    expect(res, q.query).toMatchObject({ ok: true });
    if (!res.ok) throw new Error(res.error.message);
    const r = res.result as SearchResult;
    expect(r.cached).toBe(false);
    expect(r.items.length, q.query).toBeGreaterThan(0);
    out.push(r);
  }
  return out;
}

const ranked = (rs: SearchResult[]) => rs.map((r) => r.items.map((i) => [i.chunkId, i.score]));

async function jobStatus(t: TestEngine): Promise<string[]> {
  const rows = await t.engine.db.query<{ status: string }>(
    "SELECT status FROM import_jobs WHERE kind = 'reembed' ORDER BY id",
  );
  return rows.map((r) => r.status);
}

describe('search during a re-embedding', () => {
  it('keeps answering from the old vectors while it runs and after it is cut; uses the new embedder once resumed', async () => {
    const t = await setup();
    const { engine, client, dispatcher, model, chunks, collectionId } = t;
    const used = recordQueryEmbedders(engine);
    const baseline = await searchAll(t);
    expect(used).toEqual(QUERIES.map(() => BUILTIN_EMBEDDER.id));

    const embedder = await engine.embedders.loadModel(model);
    const gate = gateSecondBatch(embedder);
    const ctrl = new AbortController();
    const switching = dispatcher.call(
      'collections.setEmbedder',
      { collection: 'K', model },
      { signal: ctrl.signal },
    );
    await gate.atGate;

    // In flight: one batch staged, the job running, the collection still on the built-in embedder.
    expect(await jobStatus(t)).toEqual(['running']);
    expect(stagingCounts(engine.vectors, collectionId)).toEqual({ staged: 16, total: chunks });
    used.length = 0;
    const during = await searchAll(t);
    expect(ranked(during)).toEqual(ranked(baseline));
    expect(used).toEqual(QUERIES.map(() => BUILTIN_EMBEDDER.id));

    // Cut mid-way.
    ctrl.abort();
    gate.release();
    expect(await switching).toMatchObject({ ok: true, result: { status: 'cancelled' } });
    gate.restore();
    expect(await jobStatus(t)).toEqual(['interrupted']);
    expect(collectionEmbedderId(engine.vectors, collectionId)).toBe(BUILTIN_EMBEDDER.id);
    expect(engine.vectors.collectionDim(collectionId)).toBe(384);
    used.length = 0;
    const afterCut = await searchAll(t);
    expect(ranked(afterCut)).toEqual(ranked(baseline));
    expect(used).toEqual(QUERIES.map(() => BUILTIN_EMBEDDER.id));
    // These results stay in the search cache: once resumed, they must not be served.

    const resumed = await client.call('import.resume', {});
    expect(resumed.reembeds).toMatchObject([{ status: 'done', chunks }]);
    expect(await jobStatus(t)).toEqual(['done']);
    const after = await client.call('collections.get', { collection: 'K' });
    expect(after).toMatchObject({ embedderId: embedder.id, embeddingDim: 64, embedderModel: model });

    used.length = 0;
    const first = await client.call('search', { ...QUERIES[0]!, collections: ['K'], k: 5 });
    expect(first.cached).toBe(false);
    expect(used).toEqual([embedder.id]);
    const [q] = await embedder.embed([QUERIES[0]!.query]);
    expect(first.items[0]!.chunkId).toBe(engine.vectors.knn(collectionId, q!, 1)[0]!.chunkId);
    used.length = 0;
    const all = await searchAll(t);
    expect(used).toEqual(QUERIES.map(() => embedder.id));
    expect(all.every((r) => r.items.every((i) => i.collectionId === collectionId))).toBe(true);
  });

  it('a re-embedding that finishes while searches run switches them to the new embedder, with no stale cache', async () => {
    const t = await setup();
    const { engine, client, dispatcher, model, collectionId } = t;
    const used = recordQueryEmbedders(engine);
    const baseline = await searchAll(t);
    const embedder = await engine.embedders.loadModel(model);
    const gate = gateSecondBatch(embedder);
    const switching = dispatcher.call('collections.setEmbedder', { collection: 'K', model });
    await gate.atGate;

    // Concurrent searches and the re-embedding's remaining batches.
    used.length = 0;
    const cachedBefore = await client.call('search', { ...QUERIES[1]!, collections: ['K'], k: 5 });
    const concurrent = QUERIES.map((q) => dispatcher.call('search', { ...q, collections: ['K'], k: 5 }));
    gate.release();
    for (const res of await Promise.all(concurrent)) expect(res).toMatchObject({ ok: true });
    expect(ranked([cachedBefore])).toEqual(ranked([baseline[1]!]));
    expect(await switching).toMatchObject({ ok: true, result: { status: 'done' } });
    gate.restore();
    expect(engine.vectors.collectionDim(collectionId)).toBe(64);

    used.length = 0;
    const again = await client.call('search', { ...QUERIES[1]!, collections: ['K'], k: 5 });
    expect(again.cached).toBe(false);
    expect(used).toEqual([embedder.id]);
    const [q] = await embedder.embed([QUERIES[1]!.query]);
    expect(again.items[0]!.chunkId).toBe(engine.vectors.knn(collectionId, q!, 1)[0]!.chunkId);
  });
});
