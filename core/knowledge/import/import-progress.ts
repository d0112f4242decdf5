import type { FoundFile } from './walk.ts';
import type { ImportRun, Outcome } from './import-types.ts';

export interface ProgressTracker {
  /** Counts one settled file into the job counters and summary, emits `file`, then maybe `progress`. */
  record(file: FoundFile, outcome: Outcome, chunks: number, reason?: string, message?: string): void;
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
    });
  };

  const record = (file: FoundFile, outcome: Outcome, chunks: number, reason?: string, message?: string) => {
    filesProcessed++;
    bytesDone += file.size;
    summary.bytes += file.size;
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
  return { record, progress };
}
