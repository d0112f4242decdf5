import { parentPort } from 'node:worker_threads';

/** The key of a progress message, so the pool tells it apart from a task's result. */
const PROGRESS_KEY = '__pustakaProgress';
/** On a progress message: the number the pool answers with once the caller has handled it. */
const ACK_KEY = '__pustakaAck';
/** On the pool's answer: what the caller's `onProgress` resolved with (see `reportAndAsk`). */
const ANSWER_KEY = '__pustakaAnswer';

export interface ProgressMessage<P> {
  [PROGRESS_KEY]: P;
  [ACK_KEY]?: number;
}

/** The pool's answer to a `reportAndWait`. */
export interface AckMessage {
  [ACK_KEY]: number;
  [ANSWER_KEY]?: unknown;
}

/**
 * Called in a pool worker while a task runs: tells the pool the task is moving (which re-arms its
 * stall time-out) and hands `data` to the caller's `onProgress`.
 */
export function reportProgress<P>(data: P): void {
  const msg: ProgressMessage<P> = { [PROGRESS_KEY]: data };
  parentPort?.postMessage(msg);
}

let nextAck = 1;
const waiting = new Map<number, (answer: unknown) => void>();
let listening = false;

/**
 * Like `reportProgress`, for data the caller must take in before the worker makes more (a part of
 * a result, handed over as it is made): resolves once the caller's `onProgress` has finished with
 * it (its promise settled). `transfer` moves those buffers instead of copying them. A caller that
 * fails to handle it stops the task: the promise then never resolves, the worker is replaced.
 */
export async function reportAndWait<P>(data: P, transfer: ArrayBuffer[] = []): Promise<void> {
  await reportAndAsk<P, unknown>(data, transfer);
}

/**
 * `reportAndWait` for a question: resolves with what the caller's `onProgress` resolved with (a
 * structured-cloneable value), e.g. whether the part of a container it names needs reading at all.
 * Outside a worker it resolves with undefined.
 */
export function reportAndAsk<P, A>(data: P, transfer: ArrayBuffer[] = []): Promise<A> {
  const port = parentPort;
  if (!port) return Promise.resolve(undefined as A);
  if (!listening) {
    listening = true;
    port.on('message', (msg: unknown) => {
      if (!isAckMessage(msg)) return;
      const done = waiting.get(msg[ACK_KEY]);
      waiting.delete(msg[ACK_KEY]);
      done?.(msg[ANSWER_KEY]);
    });
  }
  const ack = nextAck++;
  const msg: ProgressMessage<P> = { [PROGRESS_KEY]: data, [ACK_KEY]: ack };
  return new Promise<A>((resolve) => {
    let asked = 0;
    waiting.set(ack, (answer: unknown) => {
      waited += performance.now() - asked;
      resolve(answer as A);
    });
    port.postMessage(msg, transfer);
    asked = performance.now(); // from when it is sent: the pool's clocks stop when it arrives
  });
}

let waited = 0;

/**
 * Milliseconds this worker has spent waiting for answers (`reportAndWait`, `reportAndAsk`) so far:
 * the pool stops a task's clocks meanwhile, so a task that keeps its own clock takes it off too.
 */
export function waitedMs(): number {
  return waited;
}

export function isProgressMessage<P>(msg: unknown): msg is ProgressMessage<P> {
  return typeof msg === 'object' && msg !== null && PROGRESS_KEY in msg;
}

export function progressData<P>(msg: ProgressMessage<P>): P {
  return msg[PROGRESS_KEY];
}

/** The number to answer a `reportAndWait` message with; undefined for a plain report. */
export function progressAck<P>(msg: ProgressMessage<P>): number | undefined {
  return msg[ACK_KEY];
}

export function ackMessage(ack: number, answer?: unknown): AckMessage {
  return answer === undefined ? { [ACK_KEY]: ack } : { [ACK_KEY]: ack, [ANSWER_KEY]: answer };
}

/**
 * Whether a message a worker received is the pool's answer to a `reportAndWait` rather than a new
 * task: a task module that uses `reportAndWait` ignores these in its own message listener.
 */
export function isAckMessage(msg: unknown): msg is AckMessage {
  return typeof msg === 'object' && msg !== null && ACK_KEY in msg && !(PROGRESS_KEY in msg);
}
