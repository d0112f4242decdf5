/**
 * The nightly worker (DESIGN.md "Nightly worker"): cluster → golden → cultural → memory →
 * maintenance, one nightly_worker_runs row per run. Every step saves its state as it goes; a run
 * that was aborted (the user came back) or interrupted (the app quit or crashed) is continued by
 * the next run the same day, from the step and item where it stopped. Abort is honoured between
 * items and inside generation, so a run stops within about a second.
 */
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { PustakaError } from '../../base/errors.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { markInterruptedRuns } from './interrupted.ts';
import type { RunRowLike } from './views.ts';
import {
  DEFAULT_WORKER_OPTIONS,
  STEP_ORDER,
  type Budget,
  type StepContext,
  type StepName,
  type StepResult,
  type StepState,
  type WorkerOptions,
} from './context.ts';
import { clusterStep } from './steps/cluster.ts';
import { culturalStep } from './steps/cultural.ts';
import { goldenStep } from './steps/golden.ts';
import { maintenanceStep } from './steps/maintenance.ts';
import { memoryStep } from './steps/memory.ts';

export const STEPS: Record<StepName, (ctx: StepContext) => Promise<StepResult>> = {
  cluster: clusterStep,
  golden: goldenStep,
  cultural: culturalStep,
  memory: memoryStep,
  maintenance: maintenanceStep,
};

export type RunTrigger = 'idle' | 'manual' | 'schedule';
export type RunStatus = 'running' | 'done' | 'failed' | 'aborted' | 'interrupted';

export type WorkerEvent =
  | { type: 'step'; step: StepName; status: StepState['status']; note?: string }
  | { type: 'progress'; step: StepName; done: number; total: number; message: string };

export interface RunOptions {
  trigger: RunTrigger;
  signal?: AbortSignal;
  budget?: Partial<Budget>;
  options?: Partial<WorkerOptions>;
  /** Run only these steps (default: all, in order). */
  steps?: StepName[];
  onEvent?: (e: WorkerEvent) => void;
}

export const DEFAULT_BUDGET: Budget = { tokens: 200_000, ms: 60 * 60_000 };

type RunRow = RunRowLike;

/** The run this engine is executing now (at most one). */
const runSlot = defineService<{ current: { id: number; controller: AbortController } | null }>(
  'worker-run',
  () => ({ current: null }),
);

/** The run this process is executing now, if any. */
export function currentRun(engine: Engine) {
  return engine.services.get(runSlot).current;
}

/** Stops the run in progress (it saves its checkpoint and ends 'aborted'). */
export function abortWorker(engine: Engine, reason = 'stopped'): boolean {
  const r = engine.services.get(runSlot).current;
  if (!r) return false;
  r.controller.abort(new PustakaError('cancelled', `the worker was ${reason}`));
  return true;
}

/** The day's run to continue: the latest one, when it was aborted or interrupted today. */
async function resumable(db: Queryable): Promise<RunRow | undefined> {
  const [r] = await db.query<RunRow>(
    `SELECT * FROM nightly_worker_runs
      WHERE started_at > date_trunc('day', now()) ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  return r && (r.status === 'aborted' || r.status === 'interrupted') ? r : undefined;
}

const num = (v: number | string | bigint | null) => (v === null ? 0 : Number(v));

/** Token counts and generated-item totals of a run, as saved in its row. */
interface RunTotals {
  clusters_found: number;
  golden_generated: number;
  cultural_generated: number;
  facts_extracted: number;
  tokens_in: number;
  tokens_out: number;
}

/** Everything one run of the worker tracks while its steps execute. */
interface RunState {
  engine: Engine;
  opts: RunOptions;
  id: number;
  signal: AbortSignal;
  options: WorkerOptions;
  budget: Budget;
  /** performance.now() when this attempt began. */
  started: number;
  /** Milliseconds spent by earlier attempts of the same run. */
  priorMs: number;
  steps: Record<string, StepState>;
  totals: RunTotals;
  /** Tokens already spent by earlier attempts (they do not count against this attempt's budget). */
  spentAtStart: number;
}

/** Continues today's aborted or interrupted run, or starts a new row. */
async function openRunRow(db: Queryable, trigger: RunTrigger): Promise<RunRow> {
  await markInterruptedRuns(db);
  const previous = await resumable(db);
  if (previous) {
    return (
      (await db.query<RunRow>(
        `UPDATE nightly_worker_runs SET status = 'running', finished_at = NULL, error = NULL, heartbeat_at = now()
        WHERE id = $1 RETURNING *`,
        [previous.id],
      )) as [RunRow]
    )[0];
  }
  return (
    (await db.query<RunRow>(
      `INSERT INTO nightly_worker_runs (trigger, status, heartbeat_at) VALUES ($1, 'running', now()) RETURNING *`,
      [trigger],
    )) as [RunRow]
  )[0];
}

/** The run's starting totals, carried over from its row. */
function rowTotals(row: RunRow): RunTotals {
  return {
    clusters_found: row.clusters_found,
    golden_generated: row.golden_generated,
    cultural_generated: row.cultural_generated,
    facts_extracted: row.facts_extracted,
    tokens_in: num(row.tokens_in),
    tokens_out: num(row.tokens_out),
  };
}

/** Writes the run's steps, totals, duration and status to its row. */
async function saveRun(
  r: RunState,
  status: RunStatus = 'running',
  error: string | null = null,
): Promise<RunRow> {
  const [row] = await r.engine.db.query<RunRow>(
    `UPDATE nightly_worker_runs
          SET steps = $2::jsonb, clusters_found = $3, golden_generated = $4, cultural_generated = $5,
              facts_extracted = $6, tokens_in = $7, tokens_out = $8, duration_ms = $9, status = $10,
              error = $11, heartbeat_at = now(),
              finished_at = CASE WHEN $10 = 'running' THEN NULL ELSE now() END
        WHERE id = $1 RETURNING *`,
    [
      r.id,
      JSON.stringify(r.steps),
      r.totals.clusters_found,
      r.totals.golden_generated,
      r.totals.cultural_generated,
      r.totals.facts_extracted,
      r.totals.tokens_in,
      r.totals.tokens_out,
      Math.round(r.priorMs + performance.now() - r.started),
      status,
      error,
    ],
  );
  return row!;
}

/** Tokens this attempt of the run has spent so far. */
function spentThisRun(r: RunState): number {
  return r.totals.tokens_in + r.totals.tokens_out - r.spentAtStart;
}

/** The context one step runs with: its saved state, checkpointing, budget and progress. */
function stepContext(r: RunState, name: StepName): StepContext {
  return {
    engine: r.engine,
    signal: r.signal,
    state: r.steps[name]?.state ?? {},
    checkpoint: async (state) => {
      r.steps[name] = { ...r.steps[name]!, state };
      await saveRun(r);
    },
    spend: (tin, tout) => {
      r.totals.tokens_in += tin;
      r.totals.tokens_out += tout;
    },
    overBudget: () => spentThisRun(r) >= r.budget.tokens || performance.now() - r.started >= r.budget.ms,
    remainingTokens: () => r.budget.tokens - spentThisRun(r),
    progress: (done, total, message) =>
      r.opts.onEvent?.({ type: 'progress', step: name, done, total, message }),
    options: r.options,
  };
}

/** Records a finished step: adds its counts and marks it done. */
async function stepDone(r: RunState, name: StepName, result: StepResult, t0: number): Promise<void> {
  r.totals.clusters_found += result.clustersFound ?? 0;
  r.totals.golden_generated += result.goldenGenerated ?? 0;
  r.totals.cultural_generated += result.culturalGenerated ?? 0;
  r.totals.facts_extracted += result.factsExtracted ?? 0;
  r.steps[name] = {
    status: 'done',
    ms: Math.round((r.steps[name]?.ms ?? 0) + performance.now() - t0),
    ...(result.note ? { note: result.note } : {}),
  };
  r.opts.onEvent?.({
    type: 'step',
    step: name,
    status: 'done',
    ...(result.note ? { note: result.note } : {}),
  });
  await saveRun(r);
}

/**
 * Runs one step and records how it ended. Returns false when the run was aborted during the
 * step (the caller stops); a failing step is recorded and the run goes on.
 */
async function runStep(r: RunState, name: StepName): Promise<boolean> {
  const t0 = performance.now();
  r.steps[name] = { ...r.steps[name], status: 'running' };
  r.opts.onEvent?.({ type: 'step', step: name, status: 'running' });
  await saveRun(r);
  try {
    await stepDone(r, name, await STEPS[name](stepContext(r, name)), t0);
    return true;
  } catch (err) {
    const ms = Math.round((r.steps[name]?.ms ?? 0) + performance.now() - t0);
    if (r.signal.aborted) {
      r.steps[name] = { ...r.steps[name]!, status: 'aborted', ms };
      r.opts.onEvent?.({ type: 'step', step: name, status: 'aborted' });
      return false;
    }
    // One failing step does not cost the others their night: record it and go on.
    const message = err instanceof Error ? err.message : String(err);
    r.steps[name] = { ...r.steps[name]!, status: 'failed', ms, error: message };
    r.opts.onEvent?.({ type: 'step', step: name, status: 'failed', note: message });
    await saveRun(r);
    return true;
  }
}

/** Runs the selected steps that are not done yet, in order, until the run is aborted. */
async function runSteps(r: RunState): Promise<void> {
  const only = r.opts.steps ? new Set(r.opts.steps) : null;
  for (const name of STEP_ORDER) {
    if (only && !only.has(name)) continue;
    if (r.steps[name]?.status === 'done') continue;
    if (r.signal.aborted) break;
    if (!(await runStep(r, name))) break;
  }
}

/** Saves the run's final status: aborted, failed (naming the failed steps) or done. */
function finishRun(r: RunState): Promise<RunRow> {
  const failed = Object.entries(r.steps).filter(([, s]) => s.status === 'failed');
  const status: RunStatus = r.signal.aborted ? 'aborted' : failed.length ? 'failed' : 'done';
  const error = failed.length ? failed.map(([n, s]) => `${n}: ${s.error}`).join('; ') : null;
  return saveRun(r, status, error);
}

export async function runWorker(engine: Engine, opts: RunOptions): Promise<RunRow> {
  if (engine.services.get(runSlot).current)
    throw new PustakaError('conflict', 'the worker is already running');
  const controller = new AbortController();
  const outer = opts.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw new PustakaError('cancelled', 'the worker was stopped before it started');
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const options = { ...DEFAULT_WORKER_OPTIONS, ...opts.options };
  const budget = { ...DEFAULT_BUDGET, ...opts.budget };

  const row = await openRunRow(engine.db, opts.trigger);
  const id = Number(row.id);
  engine.services.get(runSlot).current = { id, controller };
  const totals = rowTotals(row);
  const r: RunState = {
    engine,
    opts,
    id,
    signal: controller.signal,
    options,
    budget,
    started: performance.now(),
    priorMs: num(row.duration_ms),
    steps: { ...row.steps },
    totals,
    spentAtStart: totals.tokens_in + totals.tokens_out,
  };
  try {
    await runSteps(r);
    return await finishRun(r);
  } catch (err) {
    await saveRun(
      r,
      r.signal.aborted ? 'aborted' : 'failed',
      err instanceof Error ? err.message : String(err),
    ).catch(() => undefined);
    throw err;
  } finally {
    engine.services.get(runSlot).current = null;
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
