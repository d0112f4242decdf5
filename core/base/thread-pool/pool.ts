import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { appFile } from '../app-files.ts';
import { formatDuration } from '../format-duration.ts';
import { ackMessage, isProgressMessage, progressAck, progressData } from './progress.ts';

export { isAckMessage, reportAndAsk, reportAndWait, reportProgress } from './progress.ts';

/**
 * A small pool of worker threads, one task at a time each. A task that stalls (reports no
 * progress for its stall limit) or runs past its absolute time-out, or a worker that crashes,
 * costs only that task: the worker is terminated and replaced, so one hostile file cannot hang or
 * take down a batch, while a long task that keeps reporting progress runs to the end.
 */
export interface WorkerPool<TIn, TOut, TProgress = unknown> {
  run(input: TIn, opts?: RunOptions<TProgress>): Promise<TOut>;
  readonly size: number;
  close(): Promise<void>;
}

export interface RunOptions<TProgress = unknown> {
  signal?: AbortSignal;
  /** Absolute limit: the task is stopped this long after it started, progress or not. */
  timeoutMs?: number;
  /**
   * Stall limit: the task is stopped when its worker reports no progress (`reportProgress`) for
   * this long — counted from the start until the first report.
   */
  stallMs?: number;
  /**
   * Receives what the worker reports with `reportProgress`, `reportAndWait` or `reportAndAsk`. For
   * the latter two the worker waits until the returned promise settles (`reportAndAsk` gets what it
   * resolved with, which must be structured-cloneable); the time that takes is the caller's, so it
   * counts against neither time-out. If it rejects (or throws), the task fails with that error.
   */
  onProgress?: (data: TProgress) => unknown;
  /**
   * Milliseconds of work a progress report announces, work with a time limit of its own (an OCR
   * page and its budget): they are added to the absolute limit (`timeoutMs`), and the silence
   * until the next report may last that long (at least `stallMs`), so neither limit cuts it short.
   */
  extendOnProgress?: (data: TProgress) => number;
  transfer?: ArrayBuffer[];
}

export class WorkerTaskError extends Error {
  constructor(
    readonly reason: 'timeout' | 'crashed' | 'aborted',
    message: string,
    /** For a timeout: true when the task stalled, false when it hit its absolute limit. */
    readonly stalled = false,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending<TIn, TOut, TProgress> {
  input: TIn;
  opts: RunOptions<TProgress>;
  resolve: (v: TOut) => void;
  reject: (e: unknown) => void;
}

/** Starts a worker on a `.ts` task module (the source tree): boot.js registers tsx there first. */
const BOOT = appFile('core', 'base', 'thread-pool', 'boot.js');

/**
 * Watches one task's deadlines: the absolute one from its start, the stall one from its last
 * progress. `onTimeout` gets the error for whichever passes first. Between `pause` and `resume`
 * (the caller handling what the worker handed over) neither clock runs.
 */
function watchDeadlines(
  timeoutMs: number | undefined,
  stallMs: number | undefined,
  onTimeout: (err: WorkerTaskError) => void,
): { progressed(announcedMs: number): void; pause(): void; resume(): void; stop(): void } {
  let started = performance.now();
  let last = started;
  /** The silence allowed since `last`: stallMs, or more after a report announcing longer work. */
  let silenceMs = stallMs;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pauses = 0;
  let pausedAt = 0;
  const check = () => {
    if (stopped || pauses > 0) return;
    const now = performance.now();
    if (timeoutMs && now - started >= timeoutMs) {
      onTimeout(new WorkerTaskError('timeout', `gave up after ${formatDuration(timeoutMs)}`));
    } else if (silenceMs && now - last >= silenceMs) {
      onTimeout(new WorkerTaskError('timeout', `no progress for ${formatDuration(silenceMs)}`, true));
    } else arm();
  };
  const arm = () => {
    const due = Math.min(timeoutMs ? started + timeoutMs : Infinity, silenceMs ? last + silenceMs : Infinity);
    if (due === Infinity) return;
    // Checked from setImmediate: after a busy spell of the main thread, progress messages already
    // queued are delivered (poll phase) before the check runs, so they still count.
    timer = setTimeout(() => setImmediate(check), Math.max(0, due - performance.now()));
  };
  arm();
  return {
    progressed(announcedMs: number) {
      last = performance.now();
      silenceMs = stallMs && Math.max(stallMs, announcedMs);
      // Re-armed: after a long announced silence the next deadline may come sooner again.
      if (announcedMs > 0) timeoutMs &&= timeoutMs + announcedMs;
      if (stopped || pauses > 0) return;
      clearTimeout(timer);
      arm();
    },
    pause() {
      if (pauses++ > 0) return;
      pausedAt = performance.now();
      clearTimeout(timer);
    },
    resume() {
      if (--pauses > 0 || stopped) return;
      const now = performance.now();
      started += now - pausedAt;
      last = now;
      arm();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

export function createWorkerPool<TIn, TOut, TProgress = unknown>(opts: {
  /**
   * Module that listens on parentPort: receives TIn, posts back TOut (progress via reportProgress).
   * Give its core/base/app-files.ts entryPoint: the built `.js`, or the source in the source tree.
   */
  entry: URL;
  size?: number;
  timeoutMs?: number;
  stallMs?: number;
  resourceLimits?: { maxOldGenerationSizeMb?: number };
}): WorkerPool<TIn, TOut, TProgress> {
  const size = Math.max(1, opts.size ?? os.availableParallelism());
  const slots: Slot[] = [];
  const queue: Pending<TIn, TOut, TProgress>[] = [];
  let closed = false;

  const spawn = (): Slot => {
    const limits = opts.resourceLimits ? { resourceLimits: opts.resourceLimits } : {};
    // A built task (.js) starts directly: no loader, and nothing of boot.js in the build.
    const worker = opts.entry.pathname.endsWith('.ts')
      ? new Worker(BOOT, { workerData: { entry: opts.entry.href }, ...limits })
      : new Worker(opts.entry, limits);
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

  function execute(slot: Slot, task: Pending<TIn, TOut, TProgress>): void {
    const { signal, timeoutMs = opts.timeoutMs, stallMs = opts.stallMs, onProgress, transfer } = task.opts;
    const { extendOnProgress } = task.opts;
    if (signal?.aborted) return task.reject(signal.reason);
    slot.busy = true;
    let settled = false;
    const deadlines = watchDeadlines(timeoutMs, stallMs, (err) => finish(() => task.reject(err), true));
    const finish = (fn: () => void, broken: boolean) => {
      if (settled) return;
      settled = true;
      deadlines.stop();
      signal?.removeEventListener('abort', onAbort);
      slot.worker.off('message', onMessage);
      slot.worker.off('error', onError);
      slot.worker.off('exit', onExit);
      if (broken) replace(slot);
      else slot.busy = false;
      fn();
      pump();
    };
    const onMessage = (msg: unknown) => {
      if (!isProgressMessage<TProgress>(msg)) return finish(() => task.resolve(msg as TOut), false);
      deadlines.progressed(extendOnProgress?.(progressData(msg)) ?? 0);
      const ack = progressAck(msg);
      if (ack === undefined) return void onProgress?.(progressData(msg));
      // The worker waits for this answer: the time until then is the caller's, not the task's.
      deadlines.pause();
      void (async () => onProgress?.(progressData(msg)))().then(
        (answer) => {
          if (!settled) deadlines.resume();
          // Answered even after the task settled (the worker gave up meanwhile): it lets the wait go.
          slot.worker.postMessage(ackMessage(ack, answer));
        },
        (err: unknown) => finish(() => task.reject(err), true),
      );
    };
    const onError = (err: Error) =>
      finish(() => task.reject(new WorkerTaskError('crashed', `worker crashed: ${err.message}`)), true);
    const onExit = (code: number) =>
      finish(() => task.reject(new WorkerTaskError('crashed', `worker exited with code ${code}`)), true);
    const onAbort = () =>
      finish(() => task.reject(signal!.reason ?? new WorkerTaskError('aborted', 'aborted')), true);
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
