/**
 * The background runner of index rebuild jobs (index-rebuild.ts), for long-lived engines: one job
 * at a time, through the same import path as `import --resume`.
 */
import type { Engine } from '../../engine/engine.ts';
import { resumeImports } from './import-service.ts';
import { isRebuildJob, stateOf, type RebuildState } from './index-rebuild.ts';
import { interruptedJobs } from './jobs.ts';

/**
 * Long-lived engines call this once after opening: queued rebuild jobs (and those queued later,
 * when a damaged file is found) run in the background, one at a time, through the same import
 * path as `import --resume`.
 */
export function rebuildInBackground(engine: Engine): void {
  const s = stateOf(engine);
  s.runInBackground = true;
  startRebuild(engine);
}

/**
 * Checks the whole file (quick_check, in a worker thread) in the background: for a file too large
 * to check at open. Damage found goes to the same repair as a failing search.
 */
export function checkIndexInBackground(engine: Engine): void {
  const s = stateOf(engine);
  if (s.checking || s.abort.signal.aborted) return;
  s.checking = engine.vectors
    .verifyFile({ signal: s.abort.signal })
    .catch((err: unknown) => {
      if (!s.abort.signal.aborted) console.error('pustaka: checking collections.db failed:', err);
    })
    .finally(() => {
      s.checking = null;
    });
}

/** Starts the background runner if the engine runs rebuilds by itself and none runs yet. */
export function startRebuild(engine: Engine): void {
  const s = stateOf(engine);
  if (!s.runInBackground || s.runner || s.abort.signal.aborted) return;
  s.runner = runQueuedRebuilds(engine, s).finally(() => {
    s.runner = null;
  });
}

async function runQueuedRebuilds(engine: Engine, s: RebuildState): Promise<void> {
  const signal = s.abort.signal;
  const tried = new Set<number>();
  const ran: number[] = [];
  try {
    for (;;) {
      await s.repairing;
      const next = (await interruptedJobs(engine.db)).find(
        (j) => isRebuildJob(j) && !tried.has(Number(j.id)),
      );
      if (!next || signal.aborted) break;
      const id = Number(next.id);
      tried.add(id);
      ran.push(id);
      try {
        await resumeImports(engine, { signal, emit: () => undefined }, { only: (j) => Number(j.id) === id });
      } catch (err) {
        if (signal.aborted) break;
        // Left interrupted: status keeps reporting it, and `import --resume` says why it fails.
        console.error(`pustaka: rebuilding the search index (job ${id}) failed:`, (err as Error).message);
      }
    }
  } catch (err) {
    if (!signal.aborted) console.error('pustaka: the background index rebuild stopped:', err);
  } finally {
    // Cut short by closing the engine: the jobs wait for the next start instead of being cancelled.
    if (signal.aborted && ran.length) {
      await engine.db
        .query(
          `UPDATE import_jobs SET status = 'interrupted', error = 'the rebuild was stopped when Pustaka closed; it continues at the next start'
            WHERE id = ANY($1::bigint[]) AND status IN ('cancelled', 'running')`,
          [ran],
        )
        .catch(() => undefined);
    }
  }
}
