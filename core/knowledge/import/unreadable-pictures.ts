/**
 * Pictures found in folders that hold no readable text (photos, drawings, logos: the handbook's
 * folders hold 1,519 such pictures over the size of an icon) are not failures of the import: they
 * are counted as ignored ('no-readable-text'), and kept as marked failed documents so the next
 * import passes them over unread while they are unchanged. A picture the user named outright
 * still fails, saying why.
 */
import path from 'node:path';
import { markNoReadableText } from '../documents/ocr-unread.ts';
import type { CommitBatcher } from './commit-batcher.ts';
import type { FileTaskOutput } from './file-task-types.ts';
import type { ProgressTracker } from './import-progress.ts';
import type { ImportRun, WorkItem } from './import-types.ts';

export const NO_READABLE_TEXT = 'no-readable-text';

/** Whether the user named `file` outright (not found by walking a folder). */
export function namedOutright(run: ImportRun, file: string): boolean {
  return run.req.paths.some((p) => path.resolve(p) === file);
}

/** Records a walked picture with no readable text as ignored; false for any other failure. */
export async function ignoreUnreadablePicture(
  run: ImportRun,
  w: WorkItem,
  docId: number,
  out: Extract<FileTaskOutput, { ok: false }>,
  batch: CommitBatcher,
  tracker: ProgressTracker,
): Promise<boolean> {
  if (out.reason !== 'no_readable_text' || namedOutright(run, w.file.path)) return false;
  batch.fail({
    id: docId,
    wasIndexed: w.known?.status === 'indexed',
    message: out.message,
    fileType: out.fileType,
    steps: [{ step: out.step, status: 'failed', durationMs: 0, error: out.message }],
  });
  await markNoReadableText(run.deps.db, docId);
  tracker.record(w.file, 'ignored', 0, NO_READABLE_TEXT);
  return true;
}
