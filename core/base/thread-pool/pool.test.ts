import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from './pool.ts';

type Msg = { kind: string; value?: number; steps?: number; everyMs?: number };
let pool: WorkerPool<Msg, { doubled: number }, { step: number }>;
afterEach(() => pool?.close());

const make = (timeoutMs = 10_000) =>
  (pool = createWorkerPool({
    entry: new URL('../../../test/support/pool-fixture.ts', import.meta.url),
    size: 2,
    timeoutMs,
  }));

/** Starts both workers, so a short stall limit is not spent loading the worker module. */
const warmUp = () => Promise.all([1, 2].map((value) => pool.run({ kind: 'echo', value })));
const stallMs = 1_000;

describe('worker pool', () => {
  it('runs tasks on worker threads and returns their results in order', async () => {
    make();
    const results = await Promise.all([1, 2, 3, 4, 5].map((value) => pool.run({ kind: 'echo', value })));
    expect(results.map((r) => r.doubled)).toEqual([2, 4, 6, 8, 10]);
  });

  it('kills a task that runs past its time-out and keeps serving others', async () => {
    make(60_000);
    await warmUp(); // a worker's start on a loaded machine must not count against the short limit
    const hung = pool.run({ kind: 'hang' }, { timeoutMs: 1_500 });
    const fine = pool.run({ kind: 'echo', value: 21 });
    await expect(hung).rejects.toMatchObject({ reason: 'timeout' });
    expect((await fine).doubled).toBe(42);
    expect((await pool.run({ kind: 'echo', value: 1 })).doubled).toBe(2);
  });

  it('lets a task that keeps reporting progress run far past its stall limit, passing the reports on', async () => {
    make(60_000);
    await warmUp();
    const steps: number[] = [];
    // 130 reports 50 ms apart: over three stall limits in all, never one without progress (the
    // limit is 2 s here so that a loaded machine's pause between two reports cannot reach it).
    const result = await pool.run(
      { kind: 'creep', steps: 130, everyMs: 50 },
      { stallMs: 2_000, onProgress: (p) => steps.push(p.step) },
    );
    expect(result.doubled).toBe(260);
    expect(steps).toEqual(Array.from({ length: 130 }, (_, i) => i + 1));
  });

  it('stops a task that stops reporting progress, and one that never reports any', async () => {
    make(60_000);
    await warmUp();
    const stuck = pool.run({ kind: 'creep-then-hang', steps: 3, everyMs: 50 }, { stallMs });
    await expect(stuck).rejects.toMatchObject({ reason: 'timeout', stalled: true });
    await expect(stuck).rejects.toThrow('no progress for 1 s');
    const silent = pool.run({ kind: 'hang' }, { stallMs });
    await expect(silent).rejects.toMatchObject({ reason: 'timeout', stalled: true });
    expect((await pool.run({ kind: 'echo', value: 3 })).doubled).toBe(6);
  });

  it('stops a task that progresses for ever at its absolute time-out', async () => {
    make(60_000);
    await warmUp();
    // A stall limit far above the cap: only the absolute time-out can end it.
    const endless = pool.run({ kind: 'creep', everyMs: 50 }, { timeoutMs: 2_500, stallMs: 60_000 });
    await expect(endless).rejects.toMatchObject({ reason: 'timeout', stalled: false });
    await expect(endless).rejects.toThrow('gave up after');
  });

  it('moves the absolute time-out on by what each progress report announces (extendOnProgress)', async () => {
    make(60_000);
    await warmUp();
    // 40 reports 50 ms apart: 2 s, twice the absolute limit, which each report moves on by 0.2 s.
    const extended = pool.run(
      { kind: 'creep', steps: 40, everyMs: 50 },
      { timeoutMs: 1_000, stallMs: 60_000, extendOnProgress: () => 200 },
    );
    expect((await extended).doubled).toBe(80);
    // The same task with reports that announce nothing stops at the limit.
    const capped = pool.run(
      { kind: 'creep', steps: 40, everyMs: 50 },
      { timeoutMs: 1_000, stallMs: 60_000, extendOnProgress: () => 0 },
    );
    await expect(capped).rejects.toMatchObject({ reason: 'timeout', stalled: false });
  });

  it('lets the silence after a report last as long as the work it announces, and no longer', async () => {
    make(60_000);
    await warmUp();
    // Two silences of 2 s each, twice the stall limit: each report announcing 3 s of work covers one.
    const task = (announced: (p: { step: number }) => number) =>
      pool.run(
        { kind: 'announce', everyMs: 2_000 },
        { stallMs, timeoutMs: 30_000, extendOnProgress: announced },
      );
    expect((await task(() => 3_000)).doubled).toBe(4);
    // Only the first report announces work: the silence after the second is held to the stall limit.
    await expect(task((p) => (p.step === 1 ? 3_000 : 0))).rejects.toMatchObject({
      reason: 'timeout',
      stalled: true,
      message: 'no progress for 1 s',
    });
    await expect(task(() => 0)).rejects.toMatchObject({ reason: 'timeout', stalled: true });
  });

  it('waits for the caller to take in what a worker hands over, not counting that time against the task', async () => {
    make(60_000);
    await warmUp();
    const taken: number[] = [];
    // Each part takes the caller longer than the stall limit, all of them together longer than
    // the absolute limit: the worker waits meanwhile, and neither counts it.
    const result = await pool.run(
      { kind: 'hand-over', steps: 3 },
      {
        stallMs,
        timeoutMs: 2_500,
        onProgress: async (p) => {
          expect(taken).toEqual(Array.from({ length: p.step - 1 }, (_, i) => i + 1)); // one at a time
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          taken.push(p.step);
        },
      },
    );
    expect(result.doubled).toBe(6);
    expect(taken).toEqual([1, 2, 3]);

    // A caller that cannot take a part in fails the task with its own error.
    const refused = pool.run(
      { kind: 'hand-over', steps: 3 },
      {
        onProgress: (p) => {
          if (p.step === 2) throw new Error('disk full');
        },
      },
    );
    await expect(refused).rejects.toThrow('disk full');
    expect((await pool.run({ kind: 'echo', value: 7 })).doubled).toBe(14);
  });

  it('survives a worker that exits or throws', async () => {
    make();
    await expect(pool.run({ kind: 'exit' })).rejects.toMatchObject({ reason: 'crashed' });
    await expect(pool.run({ kind: 'throw' })).rejects.toMatchObject({
      reason: 'crashed',
      message: expect.stringContaining('boom'),
    });
    expect((await pool.run({ kind: 'echo', value: 4 })).doubled).toBe(8);
  });

  it('aborts a running task when the caller cancels', async () => {
    make();
    const ctrl = new AbortController();
    const hung = pool.run({ kind: 'hang' }, { signal: ctrl.signal });
    setTimeout(() => ctrl.abort(new Error('user cancelled')), 300);
    await expect(hung).rejects.toThrow('user cancelled');
    expect((await pool.run({ kind: 'echo', value: 5 })).doubled).toBe(10);
  });
});
