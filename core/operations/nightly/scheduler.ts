/**
 * The engine side of scheduling: keeps the latest activity report, applies `decide`, starts an
 * idle run in the background and aborts it the moment the user is back. Settings live in
 * profile.settings.worker.
 */
import { readProfileSettings, writeProfileSettings } from '../../stores/pg/profile-settings.ts';
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { chatModelsService } from '../../models/llm/chat-models.ts';
import { PustakaError } from '../../base/errors.ts';
import { abortWorker, currentRun, runWorker } from './run.ts';
import {
  decide,
  workerSettingsSchema,
  type Activity,
  type Decision,
  type WorkerSettings,
} from './schedule.ts';

interface SchedulerState {
  engine: Engine;
  activity: (Activity & { receivedAt: Date }) | null;
  background: Promise<unknown> | null;
}

/** The latest activity report and the idle run it started; a closing engine stops that run. */
const schedulerService = defineService<SchedulerState>(
  'worker-scheduler',
  (engine) => {
    // An idle run may use the chat model: created first, it is closed after this run stops.
    engine.services.get(chatModelsService);
    return { engine, activity: null, background: null };
  },
  async (s) => {
    abortWorker(s.engine, 'stopped: the app is closing');
    await s.background?.catch(() => undefined);
  },
);
const stateOf = (engine: Engine): SchedulerState => engine.services.get(schedulerService);

export function workerSettings(engine: Engine): Promise<WorkerSettings> {
  return readProfileSettings(engine.db, 'worker', workerSettingsSchema);
}

export async function updateWorkerSettings(
  engine: Engine,
  patch: Partial<WorkerSettings>,
): Promise<WorkerSettings> {
  const next = workerSettingsSchema.parse({ ...(await workerSettings(engine)), ...patch });
  await writeProfileSettings(engine.db, 'worker', next);
  return next;
}

export async function lastFinishedRunAt(engine: Engine): Promise<Date | null> {
  const [r] = await engine.db.query<{ started_at: Date }>(
    `SELECT started_at FROM nightly_worker_runs WHERE status IN ('done', 'failed')
      ORDER BY started_at DESC LIMIT 1`,
  );
  return r?.started_at ?? null;
}

/** The decision for this activity now, without acting on it. */
export async function scheduleDecision(
  engine: Engine,
  activity: Activity,
  now = new Date(),
): Promise<Decision> {
  return decide(activity, await workerSettings(engine), {
    running: currentRun(engine) !== null,
    lastFinishedRunAt: await lastFinishedRunAt(engine),
    now,
  });
}

/** Takes an activity report and acts: starts an idle run, stops one, or waits. */
export async function reportActivity(engine: Engine, activity: Activity): Promise<Decision> {
  const s = stateOf(engine);
  s.activity = { ...activity, receivedAt: new Date() };
  const decision = await scheduleDecision(engine, activity);
  if (decision.action === 'stop')
    abortWorker(
      engine,
      decision.reason === 'the user is back' ? 'paused: the user is back' : `stopped: ${decision.reason}`,
    );
  if (decision.action === 'start') {
    const settings = await workerSettings(engine);
    s.background = runWorker(engine, {
      trigger: 'idle',
      budget: { tokens: settings.budgetTokens, ms: settings.budgetMinutes * 60_000 },
      options: { backup: settings.backup },
    })
      .catch((err: unknown) => {
        if (!(err instanceof PustakaError && err.code === 'cancelled')) {
          console.error('pustaka: the nightly worker failed:', err);
        }
      })
      .finally(() => {
        s.background = null;
      });
  }
  return decision;
}

/** The latest activity report (null until the shell sent one). */
export function lastActivity(engine: Engine) {
  return stateOf(engine).activity;
}

/** Waits for a background run started by reportActivity (tests, shutdown). */
export async function backgroundRun(engine: Engine): Promise<void> {
  await stateOf(engine).background;
}
