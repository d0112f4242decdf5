import path from 'node:path';
import type { Embedder } from '../../models/embed/types.ts';
import { isStagingGone, type ChunkInput } from '../../stores/vectors/store.ts';
import { formatDuration } from '../../base/format-duration.ts';
import { WorkerTaskError } from '../../base/thread-pool/pool.ts';
import type { StepTiming } from '../documents/documents.ts';
import { ocrPageAllowanceMs, type FileTaskOutput, type FileTaskProgress } from './file-task-types.ts';
import { createCommitBatcher, type CommitBatcher } from './commit-batcher.ts';
import {
  addRevisits,
  createMemberReceiver,
  inheritThread,
  takeRevisits,
  type MemberReceiver,
} from './members.ts';
import { deleteDocument, type DocumentStatus } from '../documents/documents.ts';
import { markToReadAgain } from '../documents/member-documents.ts';
import type { ImportPlan } from './import-plan.ts';
import type { ProgressTracker } from './import-progress.ts';
import { DEFAULT_MS_PER_MB, absoluteLimitMs, type ImportRun, type WorkItem } from './import-types.ts';
import { readSteadily } from './read-steadily.ts';
import { ignoreUnreadablePicture } from './unreadable-pictures.ts';
import type { FoundFile } from './walk.ts';
import { DEFAULT_OCR_PAGE_BUDGET_MS } from './ocr/ocr-run.ts';

/**
 * Import stage 2, process: runs every planned file through {@link processFile} on enough lanes to
 * keep every worker busy, commits what finished (even when cancelled), then rethrows the first
 * failure.
 */
export async function processFiles(
  run: ImportRun,
  plan: ImportPlan,
  tracker: ProgressTracker,
): Promise<void> {
  const { work } = plan;
  // Finished documents are committed to PG in batches: one transaction (one fsync) for many.
  const batch = createCommitBatcher(run.deps.db, run.jobId, run.counters);
  // Enough lanes to keep every worker busy while the main thread writes to the stores.
  let next = 0;
  const lanes = Array.from({ length: run.deps.pool.size + 1 }, async () => {
    while (next < work.length && !run.signal.aborted)
      await processFile(run, work[next++]!, plan.newIds, batch, tracker);
  });
  const settled = await Promise.allSettled(lanes);
  // Whatever finished is complete in SQLite: commit it to PG even when cancelled.
  await batch.flush();
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  await readAgain(run, plan, batch, tracker, !failure);
  if (failure) throw failure.reason;
}

/**
 * Files holding a copy of a message skipped as a duplicate of one that is not indexed after all
 * (pruned from its mailbox, failed: see addRevisits): marked to be read again now that all that
 * was queued is committed (their own commit would have marked them indexed over it), and those
 * this import found are read again at once (twice at most); the others by their next import.
 */
async function readAgain(
  run: ImportRun,
  plan: ImportPlan,
  batch: CommitBatcher,
  tracker: ProgressTracker,
  go: boolean,
): Promise<void> {
  const found = new Map(plan.files.map((f) => [f.path, f]));
  // Counted when first read: only a failure now is news.
  const quiet: ProgressTracker = {
    ...tracker,
    pages: () => {},
    record(file, outcome, _chunks, reason, message) {
      if (outcome !== 'failed') return;
      run.summary.failed.push({ path: file.path, reason: reason!, message: message! });
      run.emit({ type: 'file', path: file.path, outcome, chunks: 0, reason, message });
    },
  };
  for (let pass = 0; ; pass++) {
    const rows = await markToReadAgain(run.deps.db, run.target.id, takeRevisits(run));
    if (pass === 2 || !go || run.signal.aborted) return;
    const work: WorkItem[] = rows
      .filter((r) => found.has(r.path))
      .map((r) => ({
        file: found.get(r.path)!,
        hash: r.hash,
        known: { id: r.id, hash: r.hash, status: r.status as DocumentStatus },
      }));
    if (!work.length) return;
    try {
      for (const w of work) await processFile(run, w, plan.newIds, batch, quiet);
    } finally {
      await batch.flush(); // what was read before a throw is committed still
    }
  }
}

/**
 * Processes one file: extracts, chunks and (for the built-in embedder) embeds it in a worker,
 * which hands the chunks over in parts as it goes; each part is embedded here when the collection
 * has a model embedder, then written to the vector store's staging area in a short transaction of
 * its own, where no search sees it. Once the whole document is in, one transaction makes it
 * visible in place of its old version, and the document is queued on the commit batcher. A file
 * that cannot be read is queued as failed; what it staged is dropped, its old version stays.
 */
export async function processFile(
  run: ImportRun,
  w: WorkItem,
  newIds: Map<string, number>,
  batch: CommitBatcher,
  tracker: ProgressTracker,
): Promise<void> {
  const docId = w.known?.id ?? newIds.get(w.file.path)!;
  for (let attempt = 1; ; attempt++) {
    try {
      return await importDocument(run, w, docId, batch, tracker);
    } catch (err) {
      // collections.db was replaced (damage repair) while the document was staged in the old
      // file: its parts went with it, so it is read again, into the new one.
      if (attempt === 1 && isStagingGone(err) && !run.signal.aborted) continue;
      throw err;
    }
  }
}

async function importDocument(
  run: ImportRun,
  w: WorkItem,
  docId: number,
  batch: CommitBatcher,
  tracker: ProgressTracker,
): Promise<void> {
  const { req, signal } = run;
  const wasIndexed = w.known?.status === 'indexed';
  const staged = createStagedWriter(run, docId);
  // Documents the file holds (a mailbox's messages, a message's attachments), if any.
  const members = createMemberReceiver(run, w.file, batch, (id) => createStagedWriter(run, id));
  try {
    // Progress counts the file as planned; the document records it as it was when last read.
    const read = await readSteadily(
      w.file,
      w.hash,
      (f) => {
        staged.restart(); // read again (the file changed meanwhile): staged again from scratch
        return runFileTask(run, f, tracker, staged, members);
      },
      signal,
    );
    const { out, file, hash } = read;
    if (!out.ok && out.reason === 'duplicate') {
      // A message the collection has from another file (by Message-ID): not indexed twice.
      addRevisits(run, (await deleteDocument(run.deps.db, run.deps.vectors, docId)).revisit);
      tracker.record(w.file, 'duplicate', 0, out.reason, out.message);
      return;
    }
    // A photo found in a folder: no text to index, and no failure either.
    if (!out.ok && (await ignoreUnreadablePicture(run, w, docId, out, batch, tracker))) return;
    if (!out.ok) {
      await members.fileFailed();
      batch.fail({
        id: docId,
        wasIndexed,
        message: out.message,
        fileType: out.fileType,
        steps: [{ step: out.step, status: 'failed', durationMs: 0, error: out.message }],
      });
      tracker.record(w.file, 'failed', 0, out.reason, out.message);
      return;
    }
    if (read.warning) {
      out.warnings.push(read.warning);
      run.summary.warnings.push({ path: file.path, message: read.warning });
    }
    signal.throwIfAborted();
    // Read whole and steadily: what it no longer holds goes (unless that is most of it).
    const kept = read.warning ? null : await members.prune();
    if (kept) {
      out.warnings.push(kept);
      run.summary.warnings.push({ path: file.path, message: kept });
    }
    staged.commit(out.chunkCount, out.title);
    await inheritThread(run, out.facts);
    const embedMs = out.timings.embedMs + staged.times.embedMs;
    const indexMs = staged.times.indexMs;
    batch.index({
      id: docId,
      hash,
      size: file.size,
      mtimeMs: file.mtimeMs,
      title: out.title,
      author: out.author ?? null,
      fileType: out.fileType,
      mime: out.mime,
      pageCount: out.pageCount,
      chunkCount: out.chunkCount,
      tags: req.tags ?? null,
      warnings: out.warnings,
      ocr: out.ocr ?? null,
      facts: out.facts ?? null,
      steps: stepTimings(out, embedMs, indexMs),
    });
    const { timings } = run.summary;
    timings.extractMs += out.timings.extractMs;
    timings.chunkMs += out.timings.chunkMs;
    timings.embedMs += embedMs;
    timings.indexMs += indexMs;
    tracker.record(
      w.file,
      wasIndexed ? 'updated' : 'imported',
      out.chunkCount,
      undefined,
      read.warning ?? undefined,
    );
  } finally {
    staged.discard(); // nothing is left after a commit; else what a failed or cut-short read staged
    members.discard();
  }
}

type Part = Extract<FileTaskProgress, { step: 'part' }>;

/**
 * One document's next version in the vector store's staging area: parts written as they come
 * (embedded first with the collection's model embedder, when the worker did not), then committed
 * whole, or discarded. Times the embedding and writing done here.
 */
function createStagedWriter(run: ImportRun, docId: number) {
  const { vectors } = run.deps;
  let stage: number | null = null;
  const times = { embedMs: 0, indexMs: 0 };
  const discard = () => {
    if (stage === null) return;
    const id = stage;
    stage = null;
    try {
      vectors.discardStaged(id);
    } catch {
      // Left for the start-up reconcile, which drops whatever is staged; the error that brought
      // us here is the one to report.
    }
  };
  return {
    times,
    restart() {
      discard();
      stage = vectors.beginStagedDocument(run.target.id, docId);
    },
    async take(part: Part): Promise<void> {
      let embeddings = part.embeddings;
      if (!embeddings) {
        const t = performance.now();
        embeddings = await embedAll(
          run.deps.embedder!,
          part.chunks.map((c) => c.text),
          run.signal,
        );
        times.embedMs += performance.now() - t;
      }
      const t = performance.now();
      const vectorsOf = embeddings;
      const inputs: ChunkInput[] = part.chunks.map((c, i) => ({ ...c, embedding: vectorsOf[i]! }));
      vectors.stageChunks(stage!, inputs);
      times.indexMs += performance.now() - t;
    },
    commit(expected: number, title: string | null) {
      const t = performance.now();
      vectors.commitStagedDocument(stage!, expected, title ?? '');
      stage = null;
      times.indexMs += performance.now() - t;
    },
    discard,
  };
}

type StagedWriter = ReturnType<typeof createStagedWriter>;

/**
 * Runs the file task in the worker pool, writing the parts it hands over to `staged`; a time-out
 * or crash becomes a failed output, while a failure to write a part (a full disk, a damaged file)
 * is thrown as it is. The task is stopped when it stalls (no page read, no part handed over, for
 * `limits.timeoutMs`) or passes the absolute limit for its size; the time spent here on its parts
 * counts against neither. Pages read are passed on to the progress tracker.
 */
async function runFileTask(
  run: ImportRun,
  file: FoundFile,
  tracker: ProgressTracker,
  staged: StagedWriter,
  members: MemberReceiver,
): Promise<FileTaskOutput> {
  for (;;) {
    const out = await runFileTaskOnce(run, file, tracker, staged, members);
    // The reader stopped on a document inside the file: that one is recorded failed, and the file
    // is read again for the rest (what was read already, and that one, are skipped).
    if (out === 'again') staged.restart();
    else return out;
  }
}

async function runFileTaskOnce(
  run: ImportRun,
  file: FoundFile,
  tracker: ProgressTracker,
  staged: StagedWriter,
  members: MemberReceiver,
): Promise<FileTaskOutput | 'again'> {
  const { target, limits, signal } = run;
  const absoluteMs = absoluteLimitMs(limits, file.size);
  const ocr = {
    enabled: target.ocr !== false,
    pageBudgetMs: limits.ocrPageBudgetMs ?? DEFAULT_OCR_PAGE_BUDGET_MS,
  };
  const pages = { done: 0, total: 0 };
  let writeError: unknown = null;
  members.startRead();
  try {
    return await run.deps.pool.run(
      {
        path: file.path,
        chunkSize: target.chunkSize,
        chunkOverlap: target.chunkOverlap,
        embed: run.useBuiltin ? 'builtin' : 'none',
        maxBytes: limits.maxBytes,
        timeoutMs: absoluteMs,
        memberLimits: { timeoutMs: limits.timeoutMs, msPerMb: limits.msPerMb ?? DEFAULT_MS_PER_MB },
        ocr,
      },
      {
        signal,
        stallMs: limits.timeoutMs,
        // The worker's own limit gives a clean error first; this one stops a worker that hangs.
        timeoutMs: absoluteMs + 5_000,
        // A page being recognised reports nothing until it is done, within its own budget (Tesseract's
        // start included; the margin covers drawing the page): neither limit cuts it short.
        extendOnProgress: (p) =>
          p.step === 'extract' && p.ocrPage ? ocrPageAllowanceMs(ocr.pageBudgetMs) : 0,
        onProgress: (p) => {
          if (members.takes(p)) {
            return members.take(p).catch((err: unknown) => {
              writeError ??= err;
              throw err;
            });
          }
          if (p.step === 'part') {
            return staged.take(p).catch((err: unknown) => {
              writeError ??= err;
              throw err;
            });
          }
          if (p.step !== 'extract') return;
          pages.done = p.done;
          pages.total = p.total;
          tracker.pages(file.path, p.done, p.total, p.ocrPage);
        },
      },
    );
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (writeError) throw writeError;
    if (await members.recover(err)) return 'again';
    const reason = err instanceof WorkerTaskError ? err.reason : 'crashed';
    const name = path.basename(file.path);
    let message = `${name}: the reader crashed (${(err as Error).message})`;
    if (reason === 'timeout' && (err as WorkerTaskError).stalled) {
      const at = pages.total ? `; it got to page ${pages.done} of ${pages.total}` : '';
      message = `${name}: reading made no progress for ${formatDuration(limits.timeoutMs)} and was stopped${at}. The file may be damaged: open it and save a new copy, then import that.`;
    } else if (reason === 'timeout') {
      message = `${name}: reading took longer than ${formatDuration(absoluteMs)} (the limit for a file of its size) and was stopped. Split it into smaller files and import those.`;
    }
    return { ok: false, step: 'extract', fileType: null, reason, message };
  }
}

function stepTimings(
  out: Extract<FileTaskOutput, { ok: true }>,
  embedMs: number,
  indexMs: number,
): StepTiming[] {
  return [
    {
      step: 'extract',
      status: 'done',
      durationMs: out.timings.extractMs,
      // Sections found to be navigation (link lists, contents, indexes), left out unless the
      // document is nothing else (navigationKept): see navigation.ts.
      details: {
        warnings: out.warnings.length,
        ...(out.navigation
          ? {
              navigationSections: out.navigation.sections,
              navigationChars: out.navigation.chars,
              ...(out.navigation.kept ? { navigationKept: true } : {}),
            }
          : {}),
      },
    },
    {
      step: 'chunk',
      status: 'done',
      durationMs: out.timings.chunkMs,
      details: { chunks: out.chunkCount },
    },
    { step: 'embed', status: 'done', durationMs: embedMs },
    { step: 'index', status: 'done', durationMs: indexMs },
  ];
}

async function embedAll(embedder: Embedder, texts: string[], signal: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += embedder.batchSize) {
    out.push(...(await embedder.embed(texts.slice(i, i + embedder.batchSize), signal)));
  }
  return out;
}
