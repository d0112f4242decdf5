// A stand-in for the ingest worker for the test of a mailbox that runs out of its whole-file time:
// the real file-task.ts, except that when it starts handing over the text of a message whose path
// contains SLOW_MARK it never finishes, though it keeps reporting progress (so it does not stall):
// the pool stops it at the file's absolute limit, which is no fault of that message.
import { parentPort } from 'node:worker_threads';

export const SLOW_MARK = 'bulk-3@';

if (parentPort) {
  const port = parentPort;
  const post = port.postMessage.bind(port);
  let reading: string | null = null;
  port.postMessage = (msg: unknown, transfer?: Parameters<typeof post>[1]) => {
    const data = (msg as { __pustakaProgress?: { step?: string; member?: { path: string } } })
      .__pustakaProgress;
    if (data?.step === 'member') reading = data.member!.path;
    if (data?.step === 'part' && reading?.includes(SLOW_MARK)) {
      // Blocks this thread for good; the progress posted in between still reaches the pool.
      const nap = new Int32Array(new SharedArrayBuffer(4));
      for (;;) {
        post({ __pustakaProgress: { step: 'extract', done: 1, total: 2 } });
        Atomics.wait(nap, 0, 0, 100);
      }
    }
    post(msg, transfer);
  };
  await import('../../core/knowledge/import/file-task.ts');
}
