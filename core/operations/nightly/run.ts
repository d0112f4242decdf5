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

export async function runWorker(engine: Engine, opts: RunOptions): Promise<RunRow> {
  if (engine.services.get(runSlot).current)
    throw new PustakaError('conflict', 'the worker is already running');
  const controller = new AbortController();
  const outer = opts.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) throw new PustakaError('cancelled', 'the worker was stopped before it started');
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  const { db } = engine;
  const options = { ...DEFAULT_WORKER_OPTIONS, ...opts.options };
  const budget = { ...DEFAULT_BUDGET, ...opts.budget };
  const only = opts.steps ? new Set(opts.steps) : null;

  await markInterruptedRuns(db);
  const previous = await resumable(db);
  let row: RunRow;
  if (previous) {
    [row] = (await db.query<RunRow>(
      `UPDATE nightly_worker_runs SET status = 'running', finished_at = NULL, error = NULL, heartbeat_at = now()
        WHERE id = $1 RETURNING *`,
      [previous.id],
    )) as [RunRow];
  } else {
    [row] = (await db.query<RunRow>(
      `INSERT INTO nightly_worker_runs (trigger, status, heartbeat_at) VALUES ($1, 'running', now()) RETURNING *`,
      [opts.trigger],
    )) as [RunRow];
  }
  const id = Number(row.id);
  engine.services.get(runSlot).current = { id, controller };
  const started = performance.now();
  const priorMs = num(row.duration_ms);
  const steps: Record<string, StepState> = { ...row.steps };
  const totals = {
    clusters_found: row.clusters_found,
    golden_generated: row.golden_generated,
    cultural_generated: row.cultural_generated,
    facts_extracted: row.facts_extracted,
    tokens_in: num(row.tokens_in),
    tokens_out: num(row.tokens_out),
  };
  const spentAtStart = totals.tokens_in + totals.tokens_out;
  const save = async (status: RunStatus = 'running', error: string | null = null) => {
    const [r] = await db.query<RunRow>(
      `UPDATE nightly_worker_runs
          SET steps = $2::jsonb, clusters_found = $3, golden_generated = $4, cultural_generated = $5,
              facts_extracted = $6, tokens_in = $7, tokens_out = $8, duration_ms = $9, status = $10,
              error = $11, heartbeat_at = now(),
              finished_at = CASE WHEN $10 = 'running' THEN NULL ELSE now() END
        WHERE id = $1 RETURNING *`,
      [
        id,
        JSON.stringify(steps),
        totals.clusters_found,
        totals.golden_generated,
        totals.cultural_generated,
        totals.facts_extracted,
        totals.tokens_in,
        totals.tokens_out,
        Math.round(priorMs + performance.now() - started),
        status,
        error,
      ],
    );
    return r!;
  };

  const signal = controller.signal;
  try {
    for (const name of STEP_ORDER) {
      if (only && !only.has(name)) continue;
      if (steps[name]?.status === 'done') continue;
      if (signal.aborted) break;
      const t0 = performance.now();
      steps[name] = { ...steps[name], status: 'running' };
      opts.onEvent?.({ type: 'step', step: name, status: 'running' });
      await save();
      const ctx: StepContext = {
        engine,
        signal,
        state: steps[name]?.state ?? {},
        checkpoint: async (state) => {
          steps[name] = { ...steps[name]!, state };
          await save();
        },
        spend: (tin, tout) => {
          totals.tokens_in += tin;
          totals.tokens_out += tout;
        },
        overBudget: () =>
          totals.tokens_in + totals.tokens_out - spentAtStart >= budget.tokens ||
          performance.now() - started >= budget.ms,
        remainingTokens: () => budget.tokens - (totals.tokens_in + totals.tokens_out - spentAtStart),
        progress: (done, total, message) =>
          opts.onEvent?.({ type: 'progress', step: name, done, total, message }),
        options,
      };
      try {
        const result = await STEPS[name](ctx);
        totals.clusters_found += result.clustersFound ?? 0;
        totals.golden_generated += result.goldenGenerated ?? 0;
        totals.cultural_generated += result.culturalGenerated ?? 0;
        totals.facts_extracted += result.factsExtracted ?? 0;
        steps[name] = {
          status: 'done',
          ms: Math.round((steps[name]?.ms ?? 0) + performance.now() - t0),
          ...(result.note ? { note: result.note } : {}),
        };
        opts.onEvent?.({
          type: 'step',
          step: name,
          status: 'done',
          ...(result.note ? { note: result.note } : {}),
        });
        await save();
      } catch (err) {
        const ms = Math.round((steps[name]?.ms ?? 0) + performance.now() - t0);
        if (signal.aborted) {
          steps[name] = { ...steps[name]!, status: 'aborted', ms };
          opts.onEvent?.({ type: 'step', step: name, status: 'aborted' });
          break;
        }
        // One failing step does not cost the others their night: record it and go on.
        const message = err instanceof Error ? err.message : String(err);
        steps[name] = { ...steps[name]!, status: 'failed', ms, error: message };
        opts.onEvent?.({ type: 'step', step: name, status: 'failed', note: message });
        await save();
      }
    }
    const failed = Object.entries(steps).filter(([, s]) => s.status === 'failed');
    const status: RunStatus = signal.aborted ? 'aborted' : failed.length ? 'failed' : 'done';
    const error = failed.length ? failed.map(([n, s]) => `${n}: ${s.error}`).join('; ') : null;
    return await save(status, error);
  } catch (err) {
    await save(signal.aborted ? 'aborted' : 'failed', err instanceof Error ? err.message : String(err)).catch(
      () => undefined,
    );
    throw err;
  } finally {
    engine.services.get(runSlot).current = null;
    outer?.removeEventListener('abort', onOuterAbort);
  }
}
