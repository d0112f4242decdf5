import type { ImportSummary } from '../../contract/methods/imports.ts';
import { completeImport, failImport } from './import-finish.ts';
import { planImport } from './import-plan.ts';
import { createProgressTracker } from './import-progress.ts';
import { startImport } from './import-start.ts';
import type { ImportDeps, ImportOptions, ImportRequest, ImportTarget } from './import-types.ts';
import { processFiles } from './process-file.ts';
import { removeMissing } from './remove-missing.ts';

export {
  DEFAULT_LIMITS,
  type ImportDeps,
  type ImportLimits,
  type ImportRequest,
  type ImportTarget,
} from './import-types.ts';

/**
 * Imports files into a collection as a pipeline of stages: start (job row), plan (walk, hash,
 * classify, pending documents), process (extract, chunk, embed, index, batched commits), remove
 * missing, finish (job status). Announces documents-changed when searches may now find otherwise.
 */
export async function runImport(
  deps: ImportDeps,
  target: ImportTarget,
  req: ImportRequest,
  opts: ImportOptions = {},
): Promise<ImportSummary> {
  const run = await startImport(deps, target, req, opts);
  const { summary } = run;
  try {
    const plan = await planImport(run);
    const tracker = createProgressTracker(run, plan.files.length, plan.bytesTotal);
    for (const r of plan.immediate) tracker.record(r.file, r.outcome, 0, r.reason, r.message);
    await processFiles(run, plan, tracker);
    if (req.removeMissing) summary.removed = await removeMissing(deps, target.id, req.paths, run.emit);
    await completeImport(run, tracker);
  } catch (err) {
    await failImport(run, err);
  } finally {
    // New tags on unchanged files change what tag filters match, too.
    if (summary.imported || summary.updated || summary.removed || (req.tags && summary.unchanged)) {
      // Answers, searches and golden answers over this collection may now be stale.
      await deps.events.emit('documents-changed', { collectionIds: [target.id] });
    }
    summary.durationMs = performance.now() - run.started;
  }
  return summary;
}
