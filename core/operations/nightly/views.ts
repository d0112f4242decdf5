/** Worker rows as the API shows them. */
import type { WorkerRunInfo } from '../../contract/methods/worker.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { StepState } from './context.ts';

export interface RunRowLike {
  id: number | bigint;
  trigger: WorkerRunInfo['trigger'];
  status: WorkerRunInfo['status'];
  started_at: Date;
  finished_at: Date | null;
  steps: Record<string, StepState>;
  clusters_found: number;
  golden_generated: number;
  cultural_generated: number;
  facts_extracted: number;
  tokens_in: number | string | bigint;
  tokens_out: number | string | bigint;
  duration_ms: number | string | bigint | null;
  error: string | null;
}

export function runInfo(r: RunRowLike): WorkerRunInfo {
  const steps: WorkerRunInfo['steps'] = {};
  for (const [name, s] of Object.entries(r.steps)) {
    steps[name] = {
      status: s.status,
      ...(s.ms !== undefined ? { ms: s.ms } : {}),
      ...(s.note ? { note: s.note } : {}),
      ...(s.error ? { error: s.error } : {}),
    };
  }
  return {
    id: Number(r.id),
    trigger: r.trigger,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    steps,
    clustersFound: r.clusters_found,
    goldenGenerated: r.golden_generated,
    culturalGenerated: r.cultural_generated,
    factsExtracted: r.facts_extracted,
    tokensIn: Number(r.tokens_in),
    tokensOut: Number(r.tokens_out),
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    error: r.error,
  };
}

export async function workerHistory(db: Queryable, limit: number): Promise<WorkerRunInfo[]> {
  const rows = await db.query<RunRowLike>(
    'SELECT * FROM nightly_worker_runs ORDER BY started_at DESC, id DESC LIMIT $1',
    [limit],
  );
  return rows.map(runInfo);
}
