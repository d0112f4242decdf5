import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReembedEvent } from '../core/contract/methods/collections.ts';
import type { SearchResult } from '../core/contract/methods/search.ts';
import { BUILTIN_EMBEDDER } from '../core/models/embed/builtin-spec.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { rawHandleForTests } from '../core/stores/vectors/store.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { countEmbeds, logStaging } from './support/staging-log.ts';
import { tempDir } from './support/temp-dir.ts';

function docs(root: string, n: number): void {
  for (let i = 0; i < n; i++) {
    fs.writeFileSync(
      path.join(root, `note-${i}.md`),
      `# Note ${i}\n\nIzin tinggal terbatas ${i} untuk pekerja asing.\n\n## More\n\nThe sponsor applies for permit number ${i}.`,
    );
  }
}

async function tinyModel(): Promise<string> {
  const file = path.join(tempDir(), 'tiny-embed.gguf');
  await writeTinyLlama(file, { quant: 'q8_0', seed: 7 });
  return file;
}

describe('switching a collection to a GGUF embedding model', () => {
  it('re-embeds every chunk, keeps imports working with the model, and can go back to the built-in embedder', async () => {
    const root = tempDir();
    docs(root, 6);
    const model = await tinyModel();
    const { engine, client } = await openTestEngine();
    const imported = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    const chunks = imported.chunks;

    const events: ReembedEvent[] = [];
    const res = await client.call(
      'collections.setEmbedder',
      { collection: 'K', model },
      { onEvent: (e) => events.push(e) },
    );
    expect(res.status).toBe('done');
    expect(res.chunks).toBe(chunks);
    expect(res.collection).toMatchObject({ embeddingDim: 64, embedderModel: model, chunkCount: chunks });
    expect(res.collection.embedderId).toMatch(/^gguf:[0-9a-f]{16}$/);
    expect(events.at(-1)).toMatchObject({ type: 'reembed', done: chunks, total: chunks });
    expect(engine.vectors.collectionDim(res.collection.id)).toBe(64);

    // Every chunk now holds the model's vector: a chunk's own text, embedded by the model, finds
    // that very chunk first, at distance ~0.
    const embedder = await engine.embedders.loadModel(model);
    const all = engine.vectors
      .documentIds(res.collection.id)
      .flatMap((d) => engine.vectors.documentChunks(d));
    expect(all).toHaveLength(chunks);
    const stored = engine.vectors.getVectors(all.map((c) => c.id));
    expect([...stored.values()].map((v) => v.length)).toEqual(all.map(() => 64));
    const target = all.find((c) => c.text.includes('Izin tinggal terbatas 3 '))!;
    const [q] = await embedder.embed([target.text]);
    const hits = engine.vectors.knn(res.collection.id, q!, 3);
    expect(hits).toHaveLength(3);
    expect(hits[0]!.chunkId).toBe(target.id);
    expect(hits[0]!.distance).toBeLessThan(1e-3);

    // New files are embedded with the collection's model.
    fs.writeFileSync(path.join(root, 'new.md'), '# New\n\nA new note about visas on arrival.');
    const more = await client.call('import.run', { collection: 'K', paths: [root] });
    expect(more).toMatchObject({ imported: 1, unchanged: 6, failed: [] });
    expect(engine.vectors.countChunks(res.collection.id)).toBe(chunks + more.chunks);

    expect((await client.call('collections.setEmbedder', { collection: 'K', model })).status).toBe(
      'unchanged',
    );

    const back = await client.call('collections.setEmbedder', { collection: 'K', model: 'builtin' });
    expect(back.collection).toMatchObject({
      embedderId: BUILTIN_EMBEDDER.id,
      embeddingDim: 384,
      embedderModel: null,
    });
    expect(engine.vectors.collectionDim(res.collection.id)).toBe(384);
    const audit = await engine.db.query("SELECT 1 FROM audit_logs WHERE action = 'collection.reembed'");
    expect(audit).toHaveLength(2);
  });

  it('refuses a file that is not a GGUF model before loading it, changing nothing', async () => {
    const root = tempDir();
    docs(root, 1);
    const fake = path.join(tempDir(), 'model.gguf');
    fs.writeFileSync(fake, 'PK\u0003\u0004 not a model');
    const { dispatcher, client } = await openTestEngine();
    await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    const res = await dispatcher.call('collections.setEmbedder', { collection: 'K', model: fake });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'invalid_params', message: expect.stringContaining('not a GGUF file') },
    });
    const missing = await dispatcher.call('collections.setEmbedder', {
      collection: 'K',
      model: '/no/such.gguf',
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect((await client.call('collections.get', { collection: 'K' })).embedderId).toBe(BUILTIN_EMBEDDER.id);
  });

  it('a re-embedding cut short keeps serving the old vectors, blocks imports, and resumes where it stopped', async () => {
    const root = tempDir();
    docs(root, 30);
    const model = await tinyModel();
    const dataDir = tempDir();
    const { engine, client, dispatcher } = await openTestEngine(dataDir);
    const imported = await client.call('import.run', { collection: 'K', create: true, paths: [root] });
    // What the built-in vectors answer, before any switch.
    const query = (mode: 'vector' | 'hybrid') => ({
      query: 'izin tinggal sponsor permit 12',
      collections: ['K'],
      mode,
    });
    const served = (r: { items: { chunkId: number; score: number }[] }) =>
      r.items.map((i) => [i.chunkId, i.score]);
    const before = {
      vector: await client.call('search', query('vector')),
      hybrid: await client.call('search', query('hybrid')),
    };
    expect(before.vector.items.length).toBeGreaterThan(0);

    const ctrl = new AbortController();
    const cut = await dispatcher.call(
      'collections.setEmbedder',
      { collection: 'K', model },
      { signal: ctrl.signal, onEvent: (e) => (e as ReembedEvent).done >= 8 && ctrl.abort() },
    );
    expect(cut).toMatchObject({ ok: true, result: { status: 'cancelled' } });
    const c = await client.call('collections.get', { collection: 'K' });
    expect(c).toMatchObject({ embedderId: BUILTIN_EMBEDDER.id, embeddingDim: 384 });
    expect(engine.vectors.collectionDim(c.id)).toBe(384);
    // Searches in the cut state are served by the old (built-in) vectors: computed afresh (no
    // cache), they are exactly what they were before the switch began.
    engine.caches.clearAll();
    for (const mode of ['vector', 'hybrid'] as const) {
      const during = await client.call('search', query(mode));
      expect(during.cached).toBe(false);
      expect(served(during)).toEqual(served(before[mode]));
    }
    expect(await dispatcher.call('import.run', { collection: 'K', paths: [root] })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    await engine.close();

    const reopened = await openEngine({ dataDir });
    expect(reopened.interruptedJobs).toHaveLength(0); // it was already marked interrupted when cancelled
    const { createDispatcher } = await import('../core/api/dispatcher.ts');
    const d2 = createDispatcher(reopened);
    // Still the old vectors after a restart, before the resume.
    const afterRestart = await d2.call('search', query('vector'));
    expect(afterRestart).toMatchObject({ ok: true, result: { cached: false } });
    expect(served((afterRestart as { result: SearchResult }).result)).toEqual(served(before.vector));

    // What the cut switch staged, and what is left to embed.
    const raw = rawHandleForTests(reopened.vectors);
    const allIds = (
      raw.prepare('SELECT id FROM chunks WHERE collection_id = ? ORDER BY id').all(c.id) as { id: number }[]
    ).map((r) => r.id);
    expect(allIds).toHaveLength(imported.chunks);
    const log = logStaging(reopened);
    const stagedBefore = log.stagedIds();
    expect(stagedBefore.length).toBeGreaterThanOrEqual(8);
    expect(stagedBefore.length).toBeLessThan(imported.chunks);
    const remaining = allIds.filter((id) => !stagedBefore.includes(id));
    const embeds = countEmbeds(await reopened.embedders.loadModel(model));

    const resumed = await d2.call('import.resume', {});
    expect(resumed).toMatchObject({
      ok: true,
      result: { reembeds: [{ status: 'done', chunks: imported.chunks }], imports: [] },
    });
    // Only the chunks not staged before were embedded, each once; the staged ones were kept.
    expect(embeds.texts()).toBe(remaining.length);
    expect(log.writes()).toEqual(new Map(remaining.map((id) => [id, 1])));
    expect(reopened.vectors.collectionDim(c.id)).toBe(64);
    // …and the swap happened: the same search now ranks by the model's vectors.
    const afterSwap = await d2.call('search', query('vector'));
    expect(afterSwap).toMatchObject({ ok: true, result: { cached: false } });
    expect(served((afterSwap as { result: SearchResult }).result)).not.toEqual(served(before.vector));
    await reopened.close();
  });

  it('new collections embed with the default embedding model chosen with models.use', async () => {
    const model = await tinyModel();
    const root = tempDir();
    docs(root, 2);
    const { client } = await openTestEngine();
    await client.call('models.import', { path: model, link: true, name: 'tiny-embed' });
    await client.call('models.use', { model: 'tiny-embed', role: 'embedding' });

    const created = await client.call('collections.create', { name: 'Made' });
    expect(created).toMatchObject({ embeddingDim: 64, embedderModel: model });
    expect(created.embedderId).toMatch(/^gguf:/);
    const imported = await client.call('import.run', { collection: 'Auto', create: true, paths: [root] });
    expect(imported.imported).toBe(2);
    expect((await client.call('collections.get', { collection: 'Auto' })).embedderId).toBe(
      created.embedderId,
    );
  });
});
