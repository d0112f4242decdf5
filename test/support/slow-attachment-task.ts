// A stand-in for the ingest worker for the test of one slow attachment in a mailbox: the real
// file-task.ts, with a made-up format ".lambat" whose reading never ends (it waits, as a reader
// stuck on a slow parse would, so only its time limit stops it), and a pause of DELAY_MS, reporting
// progress, before the message whose path contains DELAY_MARK is reported (the time a large
// mailbox takes to reach it).
import { parentPort } from 'node:worker_threads';
import { FORMATS, TEXT_FORMAT, type Format } from '../../core/knowledge/import/formats.ts';

export const DELAY_MARK = 'tunda-1@';
export const DELAY_MS = 6_000;

if (parentPort) {
  const never: Format = { ...TEXT_FORMAT, extractor: () => new Promise(() => {}) };
  (FORMATS as Map<string, Format>).set('.lambat', never);
  const port = parentPort;
  const post = port.postMessage.bind(port);
  port.postMessage = (msg: unknown, transfer?: Parameters<typeof post>[1]) => {
    const data = (msg as { __pustakaProgress?: { step?: string; member?: { path: string } } })
      .__pustakaProgress;
    if (data?.step === 'member' && data.member!.path.endsWith(DELAY_MARK + 'konsultan-visa.co.id')) {
      // Busy, not stalled: a large mailbox reports its progress while it is read.
      const nap = new Int32Array(new SharedArrayBuffer(4));
      for (let slept = 0; slept < DELAY_MS; slept += 100) {
        post({ __pustakaProgress: { step: 'extract', done: 0, total: 5 } });
        Atomics.wait(nap, 0, 0, 100);
      }
    }
    post(msg, transfer);
  };
  await import('../../core/knowledge/import/file-task.ts');
}
