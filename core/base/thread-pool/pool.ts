import os from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * A small pool of worker threads, one task at a time each. A task past its time-out, or a worker
 * that crashes, costs only that task: the worker is terminated and replaced, so one hostile file
 * cannot hang or take down a batch.
 */
export interface WorkerPool<TIn, TOut> {
  run(
    input: TIn,
    opts?: { signal?: AbortSignal; timeoutMs?: number; transfer?: ArrayBuffer[] },
  ): Promise<TOut>;
  readonly size: number;
  close(): Promise<void>;
}

export class WorkerTaskError extends Error {
  constructor(
    readonly reason: 'timeout' | 'crashed' | 'aborted',
    message: string,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending<TIn, TOut> {
  input: TIn;
  opts: { signal?: AbortSignal; timeoutMs?: number; transfer?: ArrayBuffer[] };
  resolve: (v: TOut) => void;
  reject: (e: unknown) => void;
}

const BOOT = new URL('./boot.js', import.meta.url);

export function createWorkerPool<TIn, TOut>(opts: {
  /** Module that listens on parentPort: receives TIn, posts back TOut. */
  entry: URL;
  size?: number;
  timeoutMs?: number;
  resourceLimits?: { maxOldGenerationSizeMb?: number };
}): WorkerPool<TIn, TOut> {
  const size = Math.max(1, opts.size ?? os.availableParallelism());
  const slots: Slot[] = [];
  const queue: Pending<TIn, TOut>[] = [];
  let closed = false;

  const spawn = (): Slot => {
    const worker = new Worker(BOOT, {
      workerData: { entry: opts.entry.href },
      ...(opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {}),
    });
    worker.unref();
    return { worker, busy: false };
  };

  function pump(): void {
    while (!closed && queue.length) {
      let slot = slots.find((s) => !s.busy);
      if (!slot && slots.length < size) {
        slot = spawn();
        slots.push(slot);
      }
      if (!slot) return;
      execute(slot, queue.shift()!);
    }
  }

  function replace(slot: Slot): void {
    void slot.worker.terminate();
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
  }

  function execute(slot: Slot, task: Pending<TIn, TOut>): void {
    const { signal, timeoutMs = opts.timeoutMs, transfer } = task.opts;
    if (signal?.aborted) return task.reject(signal.reason);
    slot.busy = true;
    let settled = false;
    const finish = (fn: () => void, broken: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      slot.worker.off('exit', onExit);
      if (broken) replace(slot);
      else slot.busy = false;
      fn();
      pump();
    };
    const onMessage = (msg: TOut) => finish(() => task.resolve(msg), false);
    const onError = (err: Error) =>
      finish(() => task.reject(new WorkerTaskError('crashed', `worker crashed: ${err.message}`)), true);
    const onExit = (code: number) =>
      finish(() => task.reject(new WorkerTaskError('crashed', `worker exited with code ${code}`)), true);
    const onAbort = () =>
      finish(() => task.reject(signal!.reason ?? new WorkerTaskError('aborted', 'aborted')), true);
    const timer = timeoutMs
      ? setTimeout(
          () =>
            finish(
              () =>
                task.reject(
                  new WorkerTaskError('timeout', `gave up after ${Math.round(timeoutMs / 1000)} s`),
                ),
              true,
            ),
          timeoutMs,
        )
      : undefined;
    slot.worker.on('message', onMessage);
    slot.worker.on('error', onError);
    slot.worker.on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    slot.worker.postMessage(task.input, transfer ?? []);
  }

  return {
    size,
    run(input, runOpts = {}) {
      if (closed) return Promise.reject(new Error('worker pool is closed'));
      if (runOpts.signal?.aborted) return Promise.reject(runOpts.signal.reason);
      return new Promise<TOut>((resolve, reject) => {
        queue.push({ input, opts: runOpts, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const t of queue.splice(0)) t.reject(new WorkerTaskError('aborted', 'worker pool closed'));
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
