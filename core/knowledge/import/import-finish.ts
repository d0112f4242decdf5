import { finishJob } from './jobs.ts';
import type { ProgressTracker } from './import-progress.ts';
import type { ImportRun } from './import-types.ts';

/**
 * Import stage 4, finish (success): emits the final `progress`, checkpoints the vector store's WAL
 * after a large import, and marks the job done.
 */
export async function completeImport(run: ImportRun, tracker: ProgressTracker): Promise<void> {
  tracker.progress(true);
  // A large import leaves a large WAL; fold it back so reads stay fast and the file small.
  if (run.summary.chunks >= 1_000) run.deps.vectors.checkpoint();
  await finishJob(run.deps.db, run.jobId, 'done', run.counters);
}

/**
 * Import finish (failure): marks the job and summary cancelled (signal aborted) or failed;
 * rethrows the error unless the import was cancelled.
 */
export async function failImport(run: ImportRun, err: unknown): Promise<void> {
  const { summary } = run;
  const cancelled = run.signal.aborted;
  summary.status = cancelled ? 'cancelled' : 'failed';
  await finishJob(
    run.deps.db,
    run.jobId,
    summary.status,
    run.counters,
    cancelled ? 'cancelled by the user' : (err as Error).message,
  );
  if (!cancelled) throw err;
}
