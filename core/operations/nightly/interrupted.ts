import type { Queryable } from '../../stores/pg/pg-store.ts';

/**
 * A 'running' worker row that no process runs (the app quit or crashed mid-run) becomes
 * 'interrupted': at start-up (the data-dir lock says nobody else runs it) and before each run.
 * The next run the same day continues it from its checkpoints.
 */
export async function markInterruptedRuns(db: Queryable): Promise<number> {
  const rows = await db.query(
    `UPDATE nightly_worker_runs SET status = 'interrupted', finished_at = greatest(started_at, now())
      WHERE status = 'running' RETURNING id`,
  );
  return rows.length;
}
