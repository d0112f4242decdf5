import { parentPort } from 'node:worker_threads';

/** The key of a progress message, so the pool tells it apart from a task's result. */
const PROGRESS_KEY = '__pustakaProgress';

export interface ProgressMessage<P> {
  [PROGRESS_KEY]: P;
}

/**
 * Called in a pool worker while a task runs: tells the pool the task is moving (which re-arms its
 * stall time-out) and hands `data` to the caller's `onProgress`.
 */
export function reportProgress<P>(data: P): void {
  const msg: ProgressMessage<P> = { [PROGRESS_KEY]: data };
  parentPort?.postMessage(msg);
}

export function isProgressMessage<P>(msg: unknown): msg is ProgressMessage<P> {
  return typeof msg === 'object' && msg !== null && PROGRESS_KEY in msg;
}

export function progressData<P>(msg: ProgressMessage<P>): P {
  return msg[PROGRESS_KEY];
}
