import { afterEach, describe, expect, it } from 'vitest';
import { createWorkerPool, type WorkerPool } from './pool.ts';

type Msg = { kind: string; value?: number };
let pool: WorkerPool<Msg, { doubled: number }>;
afterEach(() => pool?.close());

const make = (timeoutMs = 10_000) =>
  (pool = createWorkerPool({
    entry: new URL('../../../test/support/pool-fixture.ts', import.meta.url),
    size: 2,
    timeoutMs,
  }));

describe('worker pool', () => {
  it('runs tasks on worker threads and returns their results in order', async () => {
    make();
    const results = await Promise.all([1, 2, 3, 4, 5].map((value) => pool.run({ kind: 'echo', value })));
    expect(results.map((r) => r.doubled)).toEqual([2, 4, 6, 8, 10]);
  });

  it('kills a task that runs past its time-out and keeps serving others', async () => {
    make(1_500);
    const hung = pool.run({ kind: 'hang' });
    const fine = pool.run({ kind: 'echo', value: 21 });
    await expect(hung).rejects.toMatchObject({ reason: 'timeout' });
    expect((await fine).doubled).toBe(42);
    expect((await pool.run({ kind: 'echo', value: 1 })).doubled).toBe(2);
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
