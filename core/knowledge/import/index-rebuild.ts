/**
 * Rebuilding the search index (collections.db) from the source files, after it was found damaged
 * or missing: the rebuild is a set of import jobs marked `rebuild` (queued by
 * core/startup/index-repair.ts), run like `import --resume` runs them. This module says how far
 * they are (status, search and ask report it) and, in a long-lived engine (the desktop app,
 * `pustaka serve`), runs them in the background by itself (rebuild-runner.ts).
 */
import type { IndexRebuild } from '../../contract/methods/search.ts';
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { ingestPoolService } from './ingest-pool.ts';
import type { JobRow } from './jobs.ts';

/** The option that marks an import job as part of an index rebuild. */
export interface RebuildJobOptions {
  rebuild: true;
  /** Where the damaged collections.db was moved; null when it was missing or emptied. */
  setAside: string | null;
  /** When the repair queued it: the jobs of one repair make one rebuild (its progress). */
  since: string;
}

export const isRebuildJob = (job: Pick<JobRow, 'kind' | 'options'>): boolean =>
  job.kind === 'import' && job.options?.rebuild === true;

export interface RebuildState {
  /** A rebuild may be under way: only then does a search ask Postgres how far it is. */
  maybePending: boolean;
  /** The replacement of a file found damaged at run time, while it runs. */
  repairing: Promise<void> | null;
  /** Run rebuild jobs in the background as soon as they are queued (long-lived engines). */
  runInBackground: boolean;
  runner: Promise<void> | null;
  /** A background integrity check of the file, while it runs. */
  checking: Promise<unknown> | null;
  readonly abort: AbortController;
}

export const indexRebuildService = defineService<RebuildState>(
  'index-rebuild',
  (engine) => {
    // Created first, so that it is disposed after the rebuild stopped using it.
    engine.services.get(ingestPoolService);
    return {
      maybePending: true,
      repairing: null,
      runInBackground: false,
      runner: null,
      checking: null,
      abort: new AbortController(),
    };
  },
  async (s) => {
    s.abort.abort();
    await s.checking;
    await s.repairing;
    await s.runner;
  },
);

export const stateOf = (engine: Engine): RebuildState => engine.services.get(indexRebuildService);

/** Says a rebuild was queued (or a damaged file is being replaced): searches report it again. */
export function noteRebuildQueued(engine: Engine): void {
  stateOf(engine).maybePending = true;
}

/** Records the run-time replacement of a damaged file, so searches can wait for it to finish. */
export function trackRepair(engine: Engine, repair: () => Promise<void>): void {
  const s = stateOf(engine);
  if (s.repairing) return;
  s.maybePending = true;
  s.repairing = repair().finally(() => {
    s.repairing = null;
  });
}

/** Resolves once a damaged file found at run time was replaced and its rebuild queued. */
export async function whenIndexReplaced(engine: Engine): Promise<void> {
  await stateOf(engine).repairing;
}

/**
 * Progress over every rebuild still open: all rebuild jobs queued by the same repair (`since`),
 * the finished ones too, while one of them waits or runs.
 */
const PROGRESS = `
WITH rebuild AS (
  SELECT id, collection_id, paths, status, options, coalesce(options->>'since', '') AS since
    FROM import_jobs WHERE kind = 'import' AND options @> '{"rebuild": true}'::jsonb
), open AS (
  SELECT DISTINCT since FROM rebuild WHERE status IN ('queued', 'running', 'interrupted')
)
SELECT count(DISTINCT d.id)::int AS total,
       count(DISTINCT d.id) FILTER (WHERE d.status = 'indexed')::int AS done,
       coalesce(bool_or(j.status = 'running'), false) AS running,
       max(j.options->>'setAside') AS set_aside,
       (SELECT count(*) FROM open)::int AS open
  FROM rebuild j
  CROSS JOIN LATERAL unnest(j.paths) AS p(path)
  JOIN documents d ON d.collection_id = j.collection_id AND d.source_path = p.path AND d.status <> 'deleted'
 WHERE j.since IN (SELECT since FROM open)`;

/** How far the rebuild of the search index is, or undefined when none is under way. */
export async function indexRebuildProgress(engine: Engine): Promise<IndexRebuild | undefined> {
  const s = stateOf(engine);
  if (!s.maybePending) return undefined;
  await s.repairing;
  const [row] = await engine.db.query<{
    total: number;
    done: number;
    running: boolean;
    set_aside: string | null;
    open: number;
  }>(PROGRESS);
  if (!row || row.open === 0) {
    // Checked again only when a rebuild is queued (start-up, a damaged file found, a resume).
    if (!s.repairing) s.maybePending = false;
    return undefined;
  }
  return {
    documentsDone: Number(row.done),
    documentsTotal: Number(row.total),
    running: row.running,
    setAside: row.set_aside,
  };
}
