import fs from 'node:fs';
import path from 'node:path';
import type { Collection } from '../../contract/methods/collections.ts';
import { getCollection, type CollectionRef } from '../collections/collections.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { modelFilePath, modelReference } from '../../models/llm/model-location.ts';
import { clearStaging, collectionEmbedderId } from '../../stores/vectors/reembed.ts';
import { createJob, restartJob, type JobRow } from './jobs.ts';

/** The embedder a collection is switching to, and the model file it came from (null: built-in). */
export interface ReembedTarget {
  embedder: Embedder;
  /** As stored: the file's name when it lies in the data folder's `models/`, else its absolute path. */
  modelPath: string | null;
}

/** What the plan stage decided: nothing to do, or a job to run. */
export type ReembedPlan =
  | { kind: 'unchanged'; before: Collection }
  | { kind: 'run'; before: Collection; target: ReembedTarget; jobId: number };

async function resolveTarget(engine: Engine, model: string): Promise<ReembedTarget> {
  if (model === 'builtin') return { embedder: engine.embedders.builtin(), modelPath: null };
  const abs = path.resolve(model);
  if (!fs.existsSync(abs)) throw new PustakaError('not_found', `no model file at ${abs}`, { model: abs });
  try {
    return {
      embedder: await engine.embedders.loadModel(abs),
      modelPath: modelReference(engine.paths.models, abs),
    };
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

/**
 * Re-embed stage 1, plan: loads the collection and the new embedder. A new choice (not a resume)
 * cancels any unfinished switch and clears its staging, and is `unchanged` when the collection
 * already uses that embedder in both stores. Checks the vector size, then creates the job row (or
 * restarts the one being resumed).
 */
export async function planReembed(
  engine: Engine,
  ref: CollectionRef,
  model: string,
  resumeJob: JobRow | undefined,
): Promise<ReembedPlan> {
  const before = await getCollection(engine.db, engine.vectors, ref);
  // A resumed job holds the model as it was stored: a name lies in this folder's models/.
  const file = resumeJob && model !== 'builtin' ? modelFilePath(engine.paths.models, model) : model;
  const target = await resolveTarget(engine, file);
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
      return { kind: 'unchanged', before };
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
  return { kind: 'run', before, target, jobId };
}
