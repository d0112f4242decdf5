import { ingestPoolService } from './ingest-pool.ts';
import type { ReembedEvent } from '../../contract/methods/collections.ts';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import { getCollection, type CollectionRef } from '../collections/collections.ts';
import { createUserCollection } from '../collections/create-collection.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import type { Engine } from '../../engine/engine.ts';
import { isPustakaError } from '../../base/errors.ts';
import { runImport, type ImportRequest } from './importer.ts';
import { interruptedJobs, isAlreadyClaimed, type JobRow } from './jobs.ts';
import { assertNotReembedding, setCollectionEmbedder, type ReembedResult } from './reembed-job.ts';

interface Ctx<E = ImportEvent> {
  signal: AbortSignal;
  emit: (e: E) => void;
}

async function resolveTarget(engine: Engine, ref: CollectionRef, create: boolean, signal: AbortSignal) {
  try {
    return await getCollection(engine.db, engine.vectors, ref);
  } catch (err) {
    if (!create || !isPustakaError(err) || err.code !== 'not_found' || typeof ref !== 'string') throw err;
    return createUserCollection(engine, { name: ref }, signal);
  }
}

export async function importPaths(
  engine: Engine,
  params: { collection: CollectionRef; create: boolean } & ImportRequest,
  ctx: Ctx,
): Promise<ImportSummary> {
  const c = await resolveTarget(engine, params.collection, params.create, ctx.signal);
  await assertNotReembedding(engine, c.id);
  // The built-in embedder runs inside the parse workers; a GGUF model in its own process.
  const embedder =
    c.embedderId === BUILTIN_EMBEDDER.id
      ? null
      : await engine.embedders.forCollection({ embedderId: c.embedderId, modelPath: c.embedderModel });
  return runImport(
    {
      db: engine.db,
      vectors: engine.vectors,
      events: engine.events,
      pool: engine.services.get(ingestPoolService),
      embedder,
    },
    {
      id: c.id,
      name: c.name,
      embedderId: c.embedderId,
      chunkSize: c.chunkSize,
      chunkOverlap: c.chunkOverlap,
      ocr: c.ocr,
    },
    params,
    { signal: ctx.signal, onEvent: ctx.emit },
  );
}

/**
 * Runs every interrupted job (or those `only` picks) again under its own id: re-embeddings
 * continue from their staged vectors first, then imports re-run (unchanged files are skipped by
 * hash). A job another caller took up meanwhile (the background index rebuild) is left to it:
 * taking a job up is one atomic claim (restartJob).
 */
export async function resumeImports(
  engine: Engine,
  ctx: Ctx<ImportEvent | ReembedEvent>,
  opts: { only?: (job: JobRow) => boolean } = {},
): Promise<{ imports: ImportSummary[]; reembeds: ReembedResult[] }> {
  const jobs = (await interruptedJobs(engine.db)).filter((j) => opts.only?.(j) ?? true);
  const reembeds: ReembedResult[] = [];
  for (const job of jobs.filter((j) => j.kind === 'reembed')) {
    const o = job.options as { modelPath?: string | null };
    const result = await unlessClaimed(() =>
      setCollectionEmbedder(engine, Number(job.collection_id), o.modelPath ?? 'builtin', ctx, job),
    );
    if (result) reembeds.push(result);
  }
  const results: ImportSummary[] = [];
  for (const job of jobs.filter((j) => j.kind !== 'reembed')) {
    const o = job.options as {
      tags?: string[] | null;
      include?: string[];
      exclude?: string[];
      removeMissing?: boolean;
    };
    const summary = await unlessClaimed(() =>
      importPaths(
        engine,
        {
          collection: Number(job.collection_id),
          create: false,
          paths: job.paths,
          tags: o.tags ?? undefined,
          include: o.include,
          exclude: o.exclude,
          removeMissing: o.removeMissing,
          jobId: Number(job.id),
        },
        ctx,
      ),
    );
    if (summary) results.push(summary);
  }
  return { imports: results, reembeds };
}

/** Runs a resume; null when another caller claimed the job first. */
async function unlessClaimed<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (err) {
    if (isAlreadyClaimed(err)) return null;
    throw err;
  }
}
