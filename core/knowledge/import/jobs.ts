import { PustakaError } from '../../base/errors.ts';
import type { ImportJob } from '../../contract/methods/imports.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';

export type JobKind = 'import' | 'reembed' | 'sync';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface JobCounters {
  filesTotal: number;
  filesDone: number;
  filesSkipped: number;
  filesFailed: number;
  chunksTotal: number;
}

export interface JobRow {
  id: number;
  collection_id: number;
  kind: JobKind;
  paths: string[];
  options: Record<string, unknown>;
  status: JobStatus;
  files_total: number;
  files_done: number;
  files_skipped: number;
  files_failed: number;
  chunks_total: number;
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

export async function createJob(
  db: Queryable,
  collectionId: number,
  kind: JobKind,
  paths: string[],
  options: Record<string, unknown>,
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO import_jobs (collection_id, kind, paths, options, status, started_at, heartbeat_at)
     VALUES ($1, $2, $3, $4, 'running', now(), now()) RETURNING id`,
    [collectionId, kind, paths, options],
  );
  return Number(row!.id);
}

/** Takes an interrupted job up again under the same id. */
/**
 * Takes an interrupted job up again. The claim is one statement, so of two callers resuming the
 * same job at once (the background index rebuild and a user's `import --resume`) exactly one wins;
 * the other is told the job is already running.
 */
export async function restartJob(db: Queryable, jobId: number): Promise<void> {
  const claimed = await db.query(
    `UPDATE import_jobs SET status = 'running', error = NULL, finished_at = NULL, started_at = now(), heartbeat_at = now()
     WHERE id = $1 AND status = 'interrupted' RETURNING id`,
    [jobId],
  );
  if (claimed.length === 0) {
    throw new PustakaError(
      'conflict',
      `import job ${jobId} is already running or finished; nothing to resume`,
      {
        job: jobId,
        alreadyClaimed: true,
      },
    );
  }
}

/** True for the error restartJob throws when another caller took the job up first. */
export function isAlreadyClaimed(err: unknown): boolean {
  return err instanceof PustakaError && err.details?.alreadyClaimed === true;
}

export async function saveProgress(db: Queryable, jobId: number, c: JobCounters): Promise<void> {
  await db.query(
    `UPDATE import_jobs SET files_total = $2, files_done = $3, files_skipped = $4, files_failed = $5, chunks_total = $6,
       heartbeat_at = now() WHERE id = $1`,
    [jobId, c.filesTotal, c.filesDone, c.filesSkipped, c.filesFailed, c.chunksTotal],
  );
}

export async function finishJob(
  db: Queryable,
  jobId: number,
  status: Exclude<JobStatus, 'running' | 'queued'>,
  c: JobCounters,
  error: string | null = null,
): Promise<void> {
  await db.query(
    `UPDATE import_jobs SET status = $2, files_total = $3, files_done = $4, files_skipped = $5, files_failed = $6,
       chunks_total = $7, error = $8, finished_at = now(), heartbeat_at = now() WHERE id = $1`,
    [jobId, status, c.filesTotal, c.filesDone, c.filesSkipped, c.filesFailed, c.chunksTotal, error],
  );
}

/**
 * At start-up no job can really be running (the data dir lock says this process is the only one),
 * so a `running` job was cut short by a quit, crash or power loss.
 */
export async function markInterruptedJobs(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    "UPDATE import_jobs SET status = 'interrupted', heartbeat_at = now() WHERE status = 'running' RETURNING id",
  );
  return rows.map((r) => Number(r.id));
}

export async function interruptedJobs(db: Queryable): Promise<JobRow[]> {
  return db.query<JobRow>("SELECT * FROM import_jobs WHERE status = 'interrupted' ORDER BY id");
}

export async function listJobs(db: Queryable, limit = 20): Promise<(JobRow & { collection_name: string })[]> {
  return db.query(
    `SELECT j.*, c.name AS collection_name FROM import_jobs j JOIN collections c ON c.id = j.collection_id
     ORDER BY j.id DESC LIMIT $1`,
    [limit],
  );
}

/** The most recent import jobs, newest first, as the jobs.list contract shapes them. */
export async function listJobSummaries(db: Queryable, limit = 20): Promise<ImportJob[]> {
  return (await listJobs(db, limit)).map((j) => ({
    id: Number(j.id),
    collection: j.collection_name,
    kind: j.kind,
    status: j.status,
    paths: j.paths,
    filesTotal: j.files_total,
    filesDone: j.files_done,
    filesSkipped: j.files_skipped,
    filesFailed: j.files_failed,
    chunksTotal: j.chunks_total,
    error: j.error,
    startedAt: j.started_at?.toISOString() ?? null,
    finishedAt: j.finished_at?.toISOString() ?? null,
  }));
}
