// Test worker for pool.test.ts: behaves as each message asks.
import { parentPort } from 'node:worker_threads';
import { isAckMessage, reportAndWait, reportProgress } from '../../core/base/thread-pool/progress.ts';

type Msg = { kind: string; value?: number; steps?: number; everyMs?: number };

/** Reports progress `steps` times, `everyMs` apart (for ever when steps is absent). */
async function creep(msg: Msg): Promise<void> {
  for (let step = 1; msg.steps === undefined || step <= msg.steps; step++) {
    await new Promise((resolve) => setTimeout(resolve, msg.everyMs ?? 50));
    reportProgress({ step });
  }
}

/** Hands `steps` parts over one at a time, each once the last was taken in, then answers. */
async function handOver(msg: Msg): Promise<void> {
  for (let step = 1; step <= msg.steps!; step++) await reportAndWait({ step });
  parentPort!.postMessage({ doubled: msg.steps! * 2 });
}

parentPort!.on('message', (msg: Msg) => {
  if (isAckMessage(msg)) return; // the answer to a part handed over
  if (msg.kind === 'echo') parentPort!.postMessage({ doubled: (msg.value ?? 0) * 2 });
  else if (msg.kind === 'hang') for (;;);
  else if (msg.kind === 'exit') process.exit(3);
  else if (msg.kind === 'throw')
    setTimeout(() => {
      throw new Error('boom');
    });
  // A long task that keeps reporting progress, then answers.
  else if (msg.kind === 'creep')
    void creep(msg).then(() => parentPort!.postMessage({ doubled: msg.steps! * 2 }));
  else if (msg.kind === 'hand-over') void handOver(msg);
  // Reports step 1, is silent for everyMs, reports step 2, is silent again, then answers.
  else if (msg.kind === 'announce')
    void (async () => {
      for (const step of [1, 2]) {
        reportProgress({ step });
        await new Promise((resolve) => setTimeout(resolve, msg.everyMs));
      }
      parentPort!.postMessage({ doubled: 4 });
    })();
  // Reports progress for a while, then hangs without a word.
  else if (msg.kind === 'creep-then-hang')
    void creep(msg).then(() => {
      for (;;);
    });
});
