import fs from 'node:fs';
import path from 'node:path';
import type { Collection, ReembedEvent } from '../../contract/methods/collections.ts';
import { getCollection, type CollectionRef } from '../collections/collections.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import {
  clearStaging,
  collectionEmbedderId,
  stageEmbeddings,
  stagingCounts,
  swapInStaged,
  unstagedChunks,
} from '../../stores/vectors/reembed.ts';
import { createJob, finishJob, restartJob, saveProgress, type JobCounters, type JobRow } from './jobs.ts';

export interface ReembedResult {
  jobId: number | null;
  collection: Collection;
  status: 'done' | 'unchanged' | 'cancelled';
  chunks: number;
  durationMs: number;
}

interface Target {
  embedder: Embedder;
  modelPath: string | null;
}

async function resolveTarget(engine: Engine, model: string): Promise<Target> {
  if (model === 'builtin') return { embedder: engine.embedders.builtin(), modelPath: null };
  const abs = path.resolve(model);
  if (!fs.existsSync(abs)) throw new PustakaError('not_found', `no model file at ${abs}`, { model: abs });
  try {
    return { embedder: await engine.embedders.loadModel(abs), modelPath: abs };
  } catch (err) {
    throw new PustakaError(
      'invalid_params',
      `${path.basename(abs)} cannot be used for embeddings: ${(err as Error).message}`,
      {
        model: abs,
      },
    );
  }
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
 */
export async function setCollectionEmbedder(
  engine: Engine,
  ref: CollectionRef,
  model: string,
  ctx: { signal: AbortSignal; emit: (e: ReembedEvent) => void },
  resumeJob?: JobRow,
): Promise<ReembedResult> {
  const started = performance.now();
  const before = await getCollection(engine.db, engine.vectors, ref);
  const target = await resolveTarget(engine, model);
  const { embedder } = target;
  if (!resumeJob) {
    // A new choice supersedes an unfinished switch (e.g. to a model file that is gone).
    await engine.db.query(
      `UPDATE import_jobs SET status = 'cancelled', error = 'superseded by another embedder choice', finished_at = now()
       WHERE collection_id = $1 AND kind = 'reembed' AND status IN ('running', 'interrupted')`,
      [before.id],
    );
    clearStaging(engine.vectors, before.id);
    if (
      before.embedderId === embedder.id &&
      collectionEmbedderId(engine.vectors, before.id) === embedder.id
    ) {
      return {
        jobId: null,
        collection: before,
        status: 'unchanged',
        chunks: 0,
        durationMs: performance.now() - started,
      };
    }
  }
  if (embedder.dim % 8 !== 0) {
    throw new PustakaError(
      'invalid_params',
      `${embedder.id} makes ${embedder.dim}-dimensional vectors; Pustaka needs a multiple of 8`,
    );
  }

  const options = { embedderId: embedder.id, modelPath: target.modelPath, dim: embedder.dim };
  let jobId: number;
  if (resumeJob) {
    jobId = Number(resumeJob.id);
    await restartJob(engine.db, jobId);
  } else {
    jobId = await createJob(engine.db, before.id, 'reembed', [], options);
  }

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
      let { staged, total } = stagingCounts(engine.vectors, before.id);
      counters.chunksTotal = staged;
      let lastSave = performance.now();
      for (let after = 0; ;) {
        ctx.signal.throwIfAborted();
        const page = unstagedChunks(engine.vectors, before.id, after, Math.max(64, embedder.batchSize * 4));
        if (!page.length) break;
        for (let i = 0; i < page.length; i += embedder.batchSize) {
          const batch = page.slice(i, i + embedder.batchSize);
          const vectors = await embedder.embed(
            batch.map((c) => c.text),
            ctx.signal,
          );
          stageEmbeddings(
            engine.vectors,
            before.id,
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
        ({ total } = stagingCounts(engine.vectors, before.id)); // an import may not run, but be exact
      }
      swapInStaged(engine.vectors, before.id, embedder.dim, embedder.id);
    }
    await engine.db.transaction(async (tx) => {
      await tx.query(
        `UPDATE collections SET embedder_id = $2, embedding_dim = $3,
           settings = settings || jsonb_build_object('embedderModel', $4::text) WHERE id = $1`,
        [before.id, embedder.id, embedder.dim, target.modelPath],
      );
      await tx.query(
        `INSERT INTO audit_logs (action, target_type, target_id, details) VALUES ('collection.reembed', 'collection', $1, $2)`,
        [String(before.id), { from: before.embedderId, to: embedder.id, modelPath: target.modelPath }],
      );
    });
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
