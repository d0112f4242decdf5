import type { PageProgress } from '../../contract/methods/imports.ts';
import type { FoundFile } from './walk.ts';
import type { FileRecord, ImportRun } from './import-types.ts';

export interface ProgressTracker {
  /** Counts one settled file into the job counters and summary, emits `file`, then maybe `progress`. */
  record(file: FoundFile, outcome: FileRecord, chunks: number, reason?: string, message?: string): void;
  /**
   * Notes the pages read so far of a file being read page by page (and the page being recognised
   * by OCR, if one is), then maybe emits `progress`.
   */
  pages(path: string, done: number, total: number, ocrPage?: number): void;
  /** Emits `progress`, at most every 200 ms unless forced. */
  progress(force?: boolean): void;
}

/**
 * Import progress: keeps the job counters and summary up to date as files settle and emits the
 * `file` and throttled `progress` events.
 */
export function createProgressTracker(
  run: ImportRun,
  filesTotal: number,
  bytesTotal: number,
): ProgressTracker {
  const { summary, counters, emit, started } = run;
  let bytesDone = 0;
  let filesProcessed = 0;
  let lastProgress = 0;
  // Files being read page by page, by path, until they settle.
  const reading = new Map<string, PageProgress>();
  const progress = (force = false) => {
    const now = performance.now();
    if (!force && now - lastProgress < 200) return;
    lastProgress = now;
    emit({
      type: 'progress',
      filesDone: filesProcessed,
      filesTotal,
      bytesDone,
      bytesTotal,
      chunksDone: summary.chunks,
      elapsedMs: now - started,
      ...(reading.size ? { pages: [...reading.values()].map((p) => ({ ...p })) } : {}),
    });
  };
  const pages = (path: string, done: number, total: number, ocrPage?: number) => {
    reading.set(path, { path, done, total, ...(ocrPage ? { ocrPage } : {}) });
    progress();
  };

  const record = (
    file: FoundFile,
    outcome: FileRecord,
    chunks: number,
    reason?: string,
    message?: string,
  ) => {
    reading.delete(file.path);
    filesProcessed++;
    bytesDone += file.size;
    summary.bytes += file.size;
    if (outcome === 'ignored') {
      // Not a file outcome of the API's: counted with the files the walk ignored, by reason.
      counters.filesSkipped++;
      summary.ignored.total++;
      summary.ignored.byReason[reason!] = (summary.ignored.byReason[reason!] ?? 0) + 1;
      progress();
      return;
    }
    if (outcome === 'failed') {
      counters.filesFailed++;
      summary.failed.push({ path: file.path, reason: reason!, message: message! });
    } else if (outcome === 'unchanged' || outcome === 'duplicate') {
      counters.filesSkipped++;
      summary[outcome === 'unchanged' ? 'unchanged' : 'duplicates']++;
    } else {
      counters.filesDone++;
      summary[outcome]++;
      summary.chunks += chunks;
      counters.chunksTotal += chunks;
    }
    emit({
      type: 'file',
      path: file.path,
      outcome,
      chunks,
      ...(reason ? { reason } : {}),
      ...(message ? { message } : {}),
    });
    progress();
  };
  return { record, pages, progress };
}
