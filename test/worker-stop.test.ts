/**
 * Stopping the nightly worker: `worker.stop` (the API) ends a running run 'aborted' with its
 * checkpoint saved, and the scheduler stops an idle run the moment `worker.activity` says the user
 * is back (or the machine goes to sleep); the next run continues the same one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiClient } from '../core/contract/client.ts';
import type { WorkerRunInfo } from '../core/contract/methods/worker.ts';
import type { StepContext, StepResult } from '../core/operations/nightly/context.ts';
import { currentRun, STEPS } from '../core/operations/nightly/run.ts';
import { backgroundRun } from '../core/operations/nightly/scheduler.ts';
import { openTestEngine } from './support/engine.ts';
import { KITAS_GUIDE_MD } from './support/files.ts';
import { tempDir } from './support/temp-dir.ts';

const QUESTIONS = [
  'What is the KITAS fee?',
  'Can I work on a B211A visa?',
  'What does a PT PMA need?',
  'How do I greet officials?',
];

/** An engine with a guide and, when `asked`, each question asked twice (four clusters to answer). */
async function setup(asked = true) {
  const t = await openTestEngine();
  if (!asked) return t;
  const docs = tempDir();
  fs.writeFileSync(path.join(docs, 'guide.md'), KITAS_GUIDE_MD);
  await t.client.call('import.run', { collection: 'Visa', create: true, paths: [docs] });
  for (const question of [...QUESTIONS, ...QUESTIONS]) await t.client.call('ask', { question });
  return t;
}

async function savedSteps(db: { query: <T>(sql: string, p?: unknown[]) => Promise<T[]> }, id: number) {
  const [row] = await db.query<{
    steps: Record<string, { status: string; state?: Record<string, unknown> }>;
  }>('SELECT steps FROM nightly_worker_runs WHERE id = $1', [id]);
  return row!.steps;
}

/**
 * Makes the cluster step save a checkpoint and then wait until the run is aborted (a step that
 * honours abort, like the real ones between items): a run that is certainly in flight.
 */
function blockClusterStep() {
  let entered!: () => void;
  let started = new Promise<void>((r) => (entered = r));
  const spy = vi.spyOn(STEPS, 'cluster').mockImplementation(async (ctx: StepContext): Promise<StepResult> => {
    await ctx.checkpoint({ reached: 'the gate' });
    entered();
    return new Promise<StepResult>((_, reject) => {
      const stop = () => reject(ctx.signal.reason as Error);
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
    });
  });
  return {
    /** Resolves once the step runs (again, after `rearm`). */
    started: () => started,
    rearm: () => (started = new Promise<void>((r) => (entered = r))),
    restore: () => spy.mockRestore(),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const history = (client: ApiClient) => client.call('worker.history', {});

describe('worker.stop', () => {
  it('stops the running run within its step: aborted, checkpoint saved, continued by the next run', async () => {
    const { engine, client } = await setup();
    expect(await client.call('worker.stop', {})).toEqual({ stopped: false });

    let progress = 0;
    let stop: Promise<{ stopped: boolean }> | undefined;
    const run = await client.call(
      'worker.run',
      { backup: false },
      {
        onEvent: (e) => {
          if (e.type === 'progress' && e.step === 'golden' && ++progress === 2) {
            stop = client.call('worker.stop', {});
          }
        },
      },
    );
    expect(await stop).toEqual({ stopped: true });
    expect(run).toMatchObject<Partial<WorkerRunInfo>>({ status: 'aborted', trigger: 'manual', error: null });
    expect(run.finishedAt).not.toBeNull();
    expect(run.steps.cluster!.status).toBe('done');
    expect(run.steps.golden!.status).toBe('aborted');
    expect(run.steps.cultural).toBeUndefined(); // later steps never started
    expect(currentRun(engine)).toBeNull();
    expect(await client.call('worker.stop', {})).toEqual({ stopped: false });

    // The checkpoint: the clusters answered before the stop, exactly the drafts that exist.
    const steps = await savedSteps(engine.db, run.id);
    const done = steps.golden!.state!.done as number[];
    const drafted = (await client.call('golden.list', {})).total;
    expect(done.length).toBe(drafted);
    expect(drafted).toBeGreaterThanOrEqual(1);
    expect(drafted).toBeLessThan(QUESTIONS.length);
    expect((await history(client)).map((r) => [r.id, r.status])).toEqual([[run.id, 'aborted']]);
    const status = await client.call('worker.status', {});
    expect(status.running).toBeNull();
    expect(status.lastRun!.id).toBe(run.id);

    const resumed = await client.call('worker.run', { backup: false });
    expect(resumed).toMatchObject({ id: run.id, status: 'done' });
    expect((await client.call('golden.list', {})).total).toBe(QUESTIONS.length);
  });

  it('stops a run that is in flight (and worker.run refuses a second one meanwhile)', async () => {
    const { engine, client } = await setup(false);
    const gate = blockClusterStep();
    const running = client.call('worker.run', { backup: false });
    await gate.started();
    const status = await client.call('worker.status', {});
    expect(status.running).toMatchObject({ status: 'running', trigger: 'manual' });
    await expect(client.call('worker.run', { backup: false })).rejects.toMatchObject({ code: 'conflict' });

    expect(await client.call('worker.stop', {})).toEqual({ stopped: true });
    const run = await running;
    expect(run).toMatchObject({ id: status.running!.id, status: 'aborted' });
    expect(run.steps.cluster!.status).toBe('aborted');
    expect((await savedSteps(engine.db, run.id)).cluster!.state).toEqual({ reached: 'the gate' });
    expect(currentRun(engine)).toBeNull();
  });
});

describe('the scheduler', () => {
  it('stops the idle run when the user comes back, and continues it when they leave again', async () => {
    const { engine, client } = await setup(false);
    await client.call('worker.settings', { idleMinutes: 5, backup: false });
    const away = { idleSeconds: 600, onBattery: false, locked: false, suspended: false };
    const gate = blockClusterStep();

    expect(await client.call('worker.activity', away)).toEqual({
      action: 'start',
      reason: 'the machine is idle',
    });
    await gate.started();
    const [first] = await history(client);
    expect(first).toMatchObject({ trigger: 'idle', status: 'running' });
    expect(await client.call('worker.activity', away)).toEqual({ action: 'continue', reason: 'still idle' });

    // The user is back.
    expect(await client.call('worker.activity', { ...away, idleSeconds: 3 })).toEqual({
      action: 'stop',
      reason: 'the user is back',
    });
    await backgroundRun(engine);
    const [paused] = await history(client);
    expect(paused).toMatchObject({ id: first!.id, trigger: 'idle', status: 'aborted' });
    expect(paused!.steps.cluster!.status).toBe('aborted');
    expect((await savedSteps(engine.db, first!.id)).cluster!.state).toEqual({ reached: 'the gate' });
    const status = await client.call('worker.status', {});
    expect(status.running).toBeNull();
    expect(status.decision).toEqual({ action: 'wait', reason: 'waiting for 5 more idle minute(s)' });

    // Away again (screen locked): the same run continues; then the machine goes to sleep.
    gate.rearm();
    expect((await client.call('worker.activity', { ...away, idleSeconds: 0, locked: true })).action).toBe(
      'start',
    );
    await gate.started();
    expect((await history(client))[0]).toMatchObject({ id: first!.id, status: 'running' });
    expect(await client.call('worker.activity', { ...away, suspended: true })).toEqual({
      action: 'stop',
      reason: 'the machine is going to sleep',
    });
    await backgroundRun(engine);
    expect((await history(client)).map((r) => [r.id, r.status])).toEqual([[first!.id, 'aborted']]);

    // With the real step back, the next idle start finishes the same run.
    gate.restore();
    expect((await client.call('worker.activity', away)).action).toBe('start');
    await backgroundRun(engine);
    const runs = await history(client);
    expect(runs.map((r) => [r.id, r.status])).toEqual([[first!.id, 'done']]);
    expect(runs[0]!.steps.cluster!.status).toBe('done');
    expect((await client.call('worker.activity', away)).reason).toBe('already ran today');
  });
});
