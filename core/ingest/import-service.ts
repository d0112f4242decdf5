import type { ImportEvent, ImportSummary } from '../api/contracts/imports.ts';
import { createCollection, getCollection, type CollectionRef } from '../collections/collections.ts';
import { BUILTIN_EMBEDDER } from '../embed/builtin-spec.ts';
import type { Engine } from '../engine.ts';
import { PustakaError, isPustakaError } from '../errors.ts';
import { runImport, type ImportRequest } from './importer.ts';
import { interruptedJobs } from './jobs.ts';

interface Ctx {
  signal: AbortSignal;
  emit: (e: ImportEvent) => void;
}

async function resolveTarget(engine: Engine, ref: CollectionRef, create: boolean) {
  try {
    return await getCollection(engine.db, engine.vectors, ref);
  } catch (err) {
    if (!create || !isPustakaError(err) || err.code !== 'not_found' || typeof ref !== 'string') throw err;
    return createCollection(engine.db, engine.vectors, { name: ref });
  }
}

function embedderFor(embedderId: string) {
  if (embedderId === BUILTIN_EMBEDDER.id) return null;
  throw new PustakaError(
    'invalid_params',
    `this collection uses the embedding model ${embedderId}, which is not installed; install it or switch the collection back to the built-in embedder`,
  );
}

export async function importPaths(
  engine: Engine,
  params: { collection: CollectionRef; create: boolean } & ImportRequest,
  ctx: Ctx,
): Promise<ImportSummary> {
  const c = await resolveTarget(engine, params.collection, params.create);
  return runImport(
    {
      db: engine.db,
      vectors: engine.vectors,
      caches: engine.caches,
      pool: engine.ingestPool(),
      embedder: embedderFor(c.embedderId),
    },
    {
      id: c.id,
      name: c.name,
      embedderId: c.embedderId,
      chunkSize: c.chunkSize,
      chunkOverlap: c.chunkOverlap,
    },
    params,
    { signal: ctx.signal, onEvent: ctx.emit },
  );
}

/** Runs every interrupted job again under its own id; unchanged files are skipped by hash. */
export async function resumeImports(engine: Engine, ctx: Ctx): Promise<ImportSummary[]> {
  const results: ImportSummary[] = [];
  for (const job of await interruptedJobs(engine.db)) {
    const o = job.options as {
      tags?: string[] | null;
      include?: string[];
      exclude?: string[];
      removeMissing?: boolean;
    };
    results.push(
      await importPaths(
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
  }
  return results;
}
