import path from 'node:path';
import type { Embedder } from '../../models/embed/types.ts';
import type { ChunkInput } from '../../stores/vectors/store.ts';
import { WorkerTaskError } from '../../base/thread-pool/pool.ts';
import type { StepTiming } from '../documents/documents.ts';
import type { FileTaskOutput } from './file-task-types.ts';
import { createCommitBatcher, type CommitBatcher } from './commit-batcher.ts';
import type { ImportPlan } from './import-plan.ts';
import type { ProgressTracker } from './import-progress.ts';
import { absoluteLimitMs, type ImportRun, type WorkItem } from './import-types.ts';
import { readSteadily } from './read-steadily.ts';
import type { FoundFile } from './walk.ts';

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
  if (failure) throw failure.reason;
}

/**
 * Processes one file: extracts, chunks and (for the built-in embedder) embeds it in a worker,
 * else embeds it here with the collection's model embedder; writes its chunks to SQLite and
 * queues the document on the commit batcher. A file that cannot be read is queued as failed.
 */
export async function processFile(
  run: ImportRun,
  w: WorkItem,
  newIds: Map<string, number>,
  batch: CommitBatcher,
  tracker: ProgressTracker,
): Promise<void> {
  const { target, req, signal } = run;
  const { known } = w;
  const docId = known?.id ?? newIds.get(w.file.path)!;
  const wasIndexed = known?.status === 'indexed';
  // Progress counts the file as planned; the document records it as it was when last read.
  const read = await readSteadily(w.file, w.hash, (f) => runFileTask(run, f, tracker), signal);
  const { out, file, hash } = read;
  if (!out.ok) {
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

  let embeddings = out.embeddings;
  let embedMs = out.timings.embedMs;
  if (!embeddings) {
    const t = performance.now();
    embeddings = await embedAll(
      run.deps.embedder!,
      out.chunks.map((c) => c.text),
      signal,
    );
    embedMs = performance.now() - t;
  }
  signal.throwIfAborted();
  const t = performance.now();
  const inputs: ChunkInput[] = out.chunks.map((c, i) => ({ ...c, embedding: embeddings![i]! }));
  run.deps.vectors.replaceDocumentChunks(target.id, docId, inputs);
  const indexMs = performance.now() - t;
  batch.index({
    id: docId,
    hash,
    size: file.size,
    mtimeMs: file.mtimeMs,
    title: out.title,
    fileType: out.fileType,
    mime: out.mime,
    pageCount: out.pageCount,
    chunkCount: out.chunks.length,
    tags: req.tags ?? null,
    warnings: out.warnings,
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
    out.chunks.length,
    undefined,
    read.warning ?? undefined,
  );
}

/**
 * Runs the file task in the worker pool; a time-out or crash becomes a failed output. The task is
 * stopped when it stalls (no page read, no chunks embedded, for `limits.timeoutMs`) or passes the
 * absolute limit for its size; pages read are passed on to the progress tracker.
 */
async function runFileTask(
  run: ImportRun,
  file: FoundFile,
  tracker: ProgressTracker,
): Promise<FileTaskOutput> {
  const { target, limits, signal } = run;
  const absoluteMs = absoluteLimitMs(limits, file.size);
  const pages = { done: 0, total: 0 };
  try {
    return await run.deps.pool.run(
      {
        path: file.path,
        chunkSize: target.chunkSize,
        chunkOverlap: target.chunkOverlap,
        embed: run.useBuiltin ? 'builtin' : 'none',
        maxBytes: limits.maxBytes,
        timeoutMs: absoluteMs,
      },
      {
        signal,
        stallMs: limits.timeoutMs,
        // The worker's own limit gives a clean error first; this one stops a worker that hangs.
        timeoutMs: absoluteMs + 5_000,
        onProgress: (p) => {
          if (p.step !== 'extract') return;
          pages.done = p.done;
          pages.total = p.total;
          tracker.pages(file.path, p.done, p.total);
        },
      },
    );
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    const reason = err instanceof WorkerTaskError ? err.reason : 'crashed';
    const name = path.basename(file.path);
    let message = `${name}: the reader crashed (${(err as Error).message})`;
    if (reason === 'timeout' && (err as WorkerTaskError).stalled) {
      const at = pages.total ? `; it got to page ${pages.done} of ${pages.total}` : '';
      message = `${name}: reading made no progress for ${seconds(limits.timeoutMs)} and was stopped${at}. The file may be damaged: open it and save a new copy, then import that.`;
    } else if (reason === 'timeout') {
      message = `${name}: reading took longer than ${seconds(absoluteMs)} (the limit for a file of its size) and was stopped. Split it into smaller files and import those.`;
    }
    return { ok: false, step: 'extract', fileType: null, reason, message };
  }
}

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

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
      details: { warnings: out.warnings.length },
    },
    {
      step: 'chunk',
      status: 'done',
      durationMs: out.timings.chunkMs,
      details: { chunks: out.chunks.length },
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
