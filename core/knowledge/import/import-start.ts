import path from 'node:path';
import type { ImportSummary } from '../../contract/methods/imports.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import { createJob, restartJob, type JobCounters } from './jobs.ts';
import {
  DEFAULT_LIMITS,
  type ImportDeps,
  type ImportOptions,
  type ImportRequest,
  type ImportRun,
  type ImportTarget,
} from './import-types.ts';

/**
 * Import stage 0, start: checks the collection's embedder is loaded, creates the job row (or
 * restarts the interrupted one being resumed) and sets up empty counters and summary.
 */
export async function startImport(
  deps: ImportDeps,
  target: ImportTarget,
  req: ImportRequest,
  opts: ImportOptions,
): Promise<ImportRun> {
  const { db } = deps;
  const signal = opts.signal ?? new AbortController().signal;
  const emit = opts.onEvent ?? (() => undefined);
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const started = performance.now();
  const useBuiltin = deps.embedder === null;
  if (useBuiltin && target.embedderId !== BUILTIN_EMBEDDER.id) {
    throw new Error(
      `collection "${target.name}" uses embedder ${target.embedderId}, but no such embedder is loaded`,
    );
  }
  const options = {
    tags: req.tags ?? null,
    include: req.include ?? [],
    exclude: req.exclude ?? [],
    removeMissing: req.removeMissing ?? false,
  };
  const jobId =
    req.jobId ??
    (await createJob(
      db,
      target.id,
      'import',
      req.paths.map((p) => path.resolve(p)),
      options,
    ));
  if (req.jobId) await restartJob(db, req.jobId);

  const counters: JobCounters = {
    filesTotal: 0,
    filesDone: 0,
    filesSkipped: 0,
    filesFailed: 0,
    chunksTotal: 0,
  };
  return {
    deps,
    target,
    req,
    signal,
    emit,
    limits,
    started,
    useBuiltin,
    jobId,
    counters,
    summary: emptySummary(jobId, target),
  };
}

function emptySummary(jobId: number, target: ImportTarget): ImportSummary {
  return {
    jobId,
    collection: { id: target.id, name: target.name },
    status: 'done',
    filesTotal: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    removed: 0,
    failed: [],
    warnings: [],
    ignored: { total: 0, byReason: {} },
    chunks: 0,
    bytes: 0,
    durationMs: 0,
    timings: { extractMs: 0, chunkMs: 0, embedMs: 0, indexMs: 0 },
  };
}
