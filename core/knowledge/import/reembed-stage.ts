import type { ReembedEvent } from '../../contract/methods/collections.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { stageEmbeddings, stagingCounts, unstagedChunks } from '../../stores/vectors/reembed.ts';
import { saveProgress, type JobCounters } from './jobs.ts';

/**
 * Re-embed stage 2, embed batches: embeds every chunk not yet staged, page by page in the
 * embedder's batch size, into the staging table (resumable: what is staged is skipped). Emits a
 * `reembed` event per batch, keeps counters.chunksTotal at the staged count, and saves job
 * progress at most every second.
 */
export async function stageAllEmbeddings(
  engine: Engine,
  collectionId: number,
  embedder: Embedder,
  job: { jobId: number; counters: JobCounters; started: number },
  ctx: { signal: AbortSignal; emit: (e: ReembedEvent) => void },
): Promise<void> {
  const { jobId, counters, started } = job;
  let { staged, total } = stagingCounts(engine.vectors, collectionId);
  counters.chunksTotal = staged;
  let lastSave = performance.now();
  for (let after = 0; ;) {
    ctx.signal.throwIfAborted();
    const page = unstagedChunks(engine.vectors, collectionId, after, Math.max(64, embedder.batchSize * 4));
    if (!page.length) break;
    for (let i = 0; i < page.length; i += embedder.batchSize) {
      const batch = page.slice(i, i + embedder.batchSize);
      const vectors = await embedder.embed(
        batch.map((c) => c.text),
        ctx.signal,
      );
      stageEmbeddings(
        engine.vectors,
        collectionId,
        embedder.dim,
        batch.map((c, j) => ({ id: c.id, embedding: vectors[j]! })),
      );
      staged += batch.length;
      counters.chunksTotal = staged;
      ctx.emit({ type: 'reembed', done: staged, total, elapsedMs: performance.now() - started });
    }
    after = page.at(-1)!.id;
    if (performance.now() - lastSave > 1_000) {
      lastSave = performance.now();
      await saveProgress(engine.db, jobId, counters);
    }
    ({ total } = stagingCounts(engine.vectors, collectionId)); // an import may not run, but be exact
  }
}
