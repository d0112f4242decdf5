/** The worker's API handlers (worker.*). */
import type { Handlers } from '../handler.ts';
import { abortWorker, currentRun, runWorker } from '../../operations/nightly/run.ts';
import {
  lastActivity,
  reportActivity,
  scheduleDecision,
  updateWorkerSettings,
  workerSettings,
} from '../../operations/nightly/scheduler.ts';
import { runInfo, workerHistory } from '../../operations/nightly/views.ts';

type WorkerMethods =
  'worker.run' | 'worker.status' | 'worker.history' | 'worker.activity' | 'worker.stop' | 'worker.settings';

export const workerHandlers: Pick<Handlers, WorkerMethods> = {
  'worker.run': async (p, { engine, signal, emit }) => {
    const settings = await workerSettings(engine);
    const row = await runWorker(engine, {
      trigger: 'manual',
      signal,
      onEvent: emit,
      budget: {
        tokens: p.budgetTokens ?? settings.budgetTokens,
        ms: (p.maxMinutes ?? settings.budgetMinutes) * 60_000,
      },
      options: {
        backup: p.backup ?? settings.backup,
        ...(p.maxGolden !== undefined ? { maxGolden: p.maxGolden } : {}),
        ...(p.minAsks !== undefined ? { minAsks: p.minAsks } : {}),
        ...(p.answerMaxChars !== undefined ? { answerMaxChars: p.answerMaxChars } : {}),
      },
      ...(p.steps ? { steps: p.steps } : {}),
    });
    return runInfo(row);
  },
  'worker.status': async (_p, { engine }) => {
    const history = await workerHistory(engine.db, 5);
    const current = currentRun(engine);
    const activity = lastActivity(engine);
    return {
      running: current ? (history.find((r) => r.id === current.id) ?? null) : null,
      lastRun: history.find((r) => r.status !== 'running') ?? null,
      settings: await workerSettings(engine),
      activity: activity ? { ...activity, receivedAt: activity.receivedAt.toISOString() } : null,
      decision: activity ? await scheduleDecision(engine, activity) : null,
    };
  },
  'worker.history': (p, { engine }) => workerHistory(engine.db, p.limit),
  'worker.activity': (p, { engine }) => reportActivity(engine, p),
  'worker.stop': async (_p, { engine }) => ({ stopped: abortWorker(engine, 'stopped by the user') }),
  'worker.settings': (p, { engine }) =>
    Object.keys(p).length ? updateWorkerSettings(engine, p) : workerSettings(engine),
};
