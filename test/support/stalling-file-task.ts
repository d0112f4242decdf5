// A stand-in for the ingest worker (file-task.ts) for the stall tests: it reports reading the first
// pages of a file, then hangs without another word — as a reader stuck on a hostile page would.
import { parentPort } from 'node:worker_threads';
import { reportProgress } from '../../core/base/thread-pool/progress.ts';
import type { FileTaskInput, FileTaskProgress } from '../../core/knowledge/import/file-task-types.ts';

export const STALL_AFTER_PAGE = 3;
export const STALL_PAGES_TOTAL = 5_000;

// Only as a worker: the tests import the constants above.
parentPort?.on('message', (input: FileTaskInput) => {
  // A file named "warm" only starts the worker.
  if (input.path.endsWith('warm')) {
    parentPort!.postMessage({ ok: false, step: 'extract', fileType: null, reason: 'warm', message: 'warm' });
    return;
  }
  for (let done = 1; done <= STALL_AFTER_PAGE; done++) {
    reportProgress<FileTaskProgress>({ step: 'extract', done, total: STALL_PAGES_TOTAL });
  }
  setTimeout(() => {
    for (;;);
  }, 10);
});
