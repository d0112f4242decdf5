import type { Collection, ReembedEvent } from '../../contract/methods/collections.ts';
import { getCollection, type CollectionRef } from '../collections/collections.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { collectionEmbedderId } from '../../stores/vectors/reembed.ts';
import { finishJob, type JobCounters, type JobRow } from './jobs.ts';
import { planReembed } from './reembed-plan.ts';
import { stageAllEmbeddings } from './reembed-stage.ts';
import { recordEmbedderSwap, swapStagedVectors } from './reembed-swap.ts';

export interface ReembedResult {
  jobId: number | null;
  collection: Collection;
  status: 'done' | 'unchanged' | 'cancelled';
  chunks: number;
  durationMs: number;
}

/** Imports into a collection wait while its vectors are being replaced. */
export async function assertNotReembedding(engine: Engine, collectionId: number): Promise<void> {
  const rows = await engine.db.query(
    "SELECT id FROM import_jobs WHERE collection_id = $1 AND kind = 'reembed' AND status IN ('running', 'interrupted')",
    [collectionId],
  );
  if (rows.length) {
    throw new PustakaError(
      'conflict',
      'this collection is being switched to another embedding model; finish that first (pustaka import --resume) or choose its embedder again',
      { collectionId },
    );
  }
}

/**
 * Switches a collection to another embedder. Every chunk is re-embedded into a staging table
 * (resumable: a restart skips what is staged), then swapped in at once; until then searches use
 * the old vectors. Postgres learns of the new embedder only after SQLite holds its vectors.
 * Stages: plan (reembed-plan.ts), embed batches (reembed-stage.ts), swap (reembed-swap.ts).
 */
export async function setCollectionEmbedder(
  engine: Engine,
  ref: CollectionRef,
  model: string,
  ctx: { signal: AbortSignal; emit: (e: ReembedEvent) => void },
  resumeJob?: JobRow,
): Promise<ReembedResult> {
  const started = performance.now();
  const plan = await planReembed(engine, ref, model, resumeJob);
  const { before } = plan;
  if (plan.kind === 'unchanged') {
    return {
      jobId: null,
      collection: before,
      status: 'unchanged',
      chunks: 0,
      durationMs: performance.now() - started,
    };
  }
  const { target, jobId } = plan;
  const { embedder } = target;

  const counters: JobCounters = {
    filesTotal: 0,
    filesDone: 0,
    filesSkipped: 0,
    filesFailed: 0,
    chunksTotal: 0,
  };
  try {
    // SQLite already swapped (a crash hit between the two stores): only PG needs telling.
    if (collectionEmbedderId(engine.vectors, before.id) !== embedder.id) {
      await stageAllEmbeddings(engine, before.id, embedder, { jobId, counters, started }, ctx);
      swapStagedVectors(engine, before.id, target);
    }
    await recordEmbedderSwap(engine, before, target);
    await finishJob(engine.db, jobId, 'done', counters);
    await engine.events.emit('documents-changed', { collectionIds: [before.id] });
    return {
      jobId,
      collection: await getCollection(engine.db, engine.vectors, before.id),
      status: 'done',
      chunks: counters.chunksTotal,
      durationMs: performance.now() - started,
    };
  } catch (err) {
    if (ctx.signal.aborted) {
      // Staged vectors stay: `import --resume` continues from them.
      await finishJob(engine.db, jobId, 'interrupted', counters, 'cancelled by the user; resume to finish');
      return {
        jobId,
        collection: before,
        status: 'cancelled',
        chunks: counters.chunksTotal,
        durationMs: performance.now() - started,
      };
    }
    await finishJob(engine.db, jobId, 'interrupted', counters, (err as Error).message);
    throw err;
  }
}
