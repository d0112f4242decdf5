import fs from 'node:fs';
import type { EventBus } from '../../engine/events.ts';
import path from 'node:path';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { ChunkInput, VectorStore } from '../../stores/vectors/store.ts';
import type { WorkerPool } from '../../base/thread-pool/pool.ts';
import { WorkerTaskError } from '../../base/thread-pool/pool.ts';
import {
  commitDocuments,
  deleteDocument,
  insertPendingDocuments,
  loadCollectionIndex,
  updateTags,
  type FailedDocument,
  type IndexedDocument,
  type KnownDocument,
  type StepTiming,
} from '../documents/documents.ts';
import type { FileTaskInput, FileTaskOutput } from './file-task-types.ts';
import { isSupportedPath } from './formats.ts';
import { sha256File } from '../../base/hash-file.ts';
import { createJob, finishJob, restartJob, saveProgress, type JobCounters } from './jobs.ts';
import { walkPaths, type FoundFile } from './walk.ts';

export interface ImportTarget {
  id: number;
  name: string;
  embedderId: string;
  chunkSize: number;
  chunkOverlap: number;
}

export interface ImportRequest {
  paths: string[];
  tags?: string[] | undefined;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  removeMissing?: boolean | undefined;
  /** Resume this interrupted job instead of creating a new one. */
  jobId?: number | undefined;
}

export interface ImportDeps {
  db: Db;
  vectors: VectorStore;
  /** Announces documents-changed when the import changed what searches can find. */
  events: EventBus;
  pool: WorkerPool<FileTaskInput, FileTaskOutput>;
  /** The collection's model embedder; null for the built-in one (which runs in the workers). */
  embedder: Embedder | null;
}

export interface ImportLimits {
  maxBytes: number;
  timeoutMs: number;
}

export const DEFAULT_LIMITS: ImportLimits = { maxBytes: 200 * 1024 * 1024, timeoutMs: 120_000 };

type Outcome = 'imported' | 'updated' | 'unchanged' | 'duplicate' | 'failed';

export async function runImport(
  deps: ImportDeps,
  target: ImportTarget,
  req: ImportRequest,
  opts: { signal?: AbortSignal; onEvent?: (e: ImportEvent) => void; limits?: ImportLimits } = {},
): Promise<ImportSummary> {
  const { db, vectors, pool } = deps;
  const signal = opts.signal ?? new AbortController().signal;
  const emit = opts.onEvent ?? (() => undefined);
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const started = performance.now();
  const useBuiltin = deps.embedder === null;
  if (useBuiltin && target.embedderId !== BUILTIN_EMBEDDER.id) {
    throw new Error(
      `collection "${target.name}" uses embedder ${target.embedderId}, but no such embedder is loaded`,
    );
  }
  const options = {
    tags: req.tags ?? null,
    include: req.include ?? [],
    exclude: req.exclude ?? [],
    removeMissing: req.removeMissing ?? false,
  };
  const jobId =
    req.jobId ??
    (await createJob(
      db,
      target.id,
      'import',
      req.paths.map((p) => path.resolve(p)),
      options,
    ));
  if (req.jobId) await restartJob(db, req.jobId);

  const counters: JobCounters = {
    filesTotal: 0,
    filesDone: 0,
    filesSkipped: 0,
    filesFailed: 0,
    chunksTotal: 0,
  };
  const summary: ImportSummary = {
    jobId,
    collection: { id: target.id, name: target.name },
    status: 'done',
    filesTotal: 0,
    imported: 0,
    updated: 0,
    unchanged: 0,
    duplicates: 0,
    removed: 0,
    failed: [],
    ignored: { total: 0, byReason: {} },
    chunks: 0,
    bytes: 0,
    durationMs: 0,
    timings: { extractMs: 0, chunkMs: 0, embedMs: 0, indexMs: 0 },
  };

  try {
    const walked = walkPaths(req.paths, {
      include: req.include,
      exclude: req.exclude,
      isSupported: isSupportedPath,
      signal,
    });
    const explicit = new Set(req.paths.map((p) => path.resolve(p)));
    for (const ig of walked.ignored) {
      // What the user named outright and we could not take is a failure, not clutter.
      if (explicit.has(ig.path) || ig.reason === 'missing') {
        summary.failed.push({
          path: ig.path,
          reason: ig.reason,
          message:
            ig.reason === 'missing'
              ? `${ig.path} does not exist`
              : ig.reason === 'unsupported'
                ? `${path.basename(ig.path)}: files of type ${ig.detail} cannot be imported`
                : `${ig.path} cannot be read (${ig.detail ?? ig.reason})`,
        });
      } else {
        summary.ignored.total++;
        summary.ignored.byReason[ig.reason] = (summary.ignored.byReason[ig.reason] ?? 0) + 1;
      }
    }
    const files = walked.files;
    counters.filesTotal = files.length;
    counters.filesFailed = summary.failed.length;
    summary.filesTotal = files.length;
    const bytesTotal = files.reduce((n, f) => n + f.size, 0);
    emit({ type: 'scanned', jobId, filesTotal: files.length, bytesTotal, ignored: summary.ignored.total });
    await saveProgress(db, jobId, counters);

    // Hash everything first (fast, bounded concurrency): it decides what needs work at all.
    const hashes = await mapLimit(files, 8, async (file) => {
      try {
        return await sha256File(file.path, file.size, signal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        return err as Error;
      }
    });

    const index = await loadCollectionIndex(db, target.id);
    const claimed = new Map(index.indexedByHash);
    const work: { file: FoundFile; hash: string; known: KnownDocument | undefined }[] = [];
    const immediate: { file: FoundFile; outcome: Outcome; reason?: string; message?: string }[] = [];
    for (const [i, file] of files.entries()) {
      const hash = hashes[i]!;
      if (hash instanceof Error) {
        immediate.push({
          file,
          outcome: 'failed',
          reason: 'unreadable',
          message: `${file.path} cannot be read (${hash.message})`,
        });
        continue;
      }
      const known = index.byPath.get(file.path);
      if (known && known.hash === hash && known.status === 'indexed') {
        if (req.tags) await updateTags(db, known.id, req.tags);
        immediate.push({ file, outcome: 'unchanged' });
        continue;
      }
      const twin = claimed.get(hash);
      if (!known && twin && twin !== file.path) {
        immediate.push({
          file,
          outcome: 'duplicate',
          reason: 'duplicate',
          message: `same content as ${twin}`,
        });
        continue;
      }
      claimed.set(hash, file.path);
      work.push({ file, hash, known });
    }
    const newIds = await insertPendingDocuments(
      db,
      target.id,
      work
        .filter((w) => !w.known)
        .map((w) => ({ path: w.file.path, hash: w.hash, size: w.file.size, mtimeMs: w.file.mtimeMs })),
      req.tags ?? [],
    );

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
        filesTotal: files.length,
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
    for (const r of immediate) record(r.file, r.outcome, 0, r.reason, r.message);

    // Finished documents are committed to PG in batches: one transaction (one fsync) for many.
    const batch = createCommitBatcher(db, jobId, counters);

    const importOne = async (w: (typeof work)[number]): Promise<void> => {
      const { file, hash, known } = w;
      const docId = known?.id ?? newIds.get(file.path)!;
      const wasIndexed = known?.status === 'indexed';
      let out: FileTaskOutput;
      try {
        out = await pool.run(
          {
            path: file.path,
            chunkSize: target.chunkSize,
            chunkOverlap: target.chunkOverlap,
            embed: useBuiltin ? 'builtin' : 'none',
            maxBytes: limits.maxBytes,
            timeoutMs: limits.timeoutMs,
          },
          { signal, timeoutMs: limits.timeoutMs + 5_000 },
        );
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const reason = err instanceof WorkerTaskError ? err.reason : 'crashed';
        out = {
          ok: false,
          step: 'extract',
          fileType: null,
          reason,
          message:
            reason === 'timeout'
              ? `${path.basename(file.path)}: reading took longer than ${Math.round(limits.timeoutMs / 1000)} s and was stopped`
              : `${path.basename(file.path)}: the reader crashed (${(err as Error).message})`,
        };
      }
      if (!out.ok) {
        batch.fail({
          id: docId,
          wasIndexed,
          message: out.message,
          fileType: out.fileType,
          steps: [{ step: out.step, status: 'failed', durationMs: 0, error: out.message }],
        });
        record(file, 'failed', 0, out.reason, out.message);
        return;
      }

      let embeddings = out.embeddings;
      let embedMs = out.timings.embedMs;
      if (!embeddings) {
        const t = performance.now();
        embeddings = await embedAll(
          deps.embedder!,
          out.chunks.map((c) => c.text),
          signal,
        );
        embedMs = performance.now() - t;
      }
      signal.throwIfAborted();
      const t = performance.now();
      const inputs: ChunkInput[] = out.chunks.map((c, i) => ({ ...c, embedding: embeddings![i]! }));
      vectors.replaceDocumentChunks(target.id, docId, inputs);
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
      summary.timings.extractMs += out.timings.extractMs;
      summary.timings.chunkMs += out.timings.chunkMs;
      summary.timings.embedMs += embedMs;
      summary.timings.indexMs += indexMs;
      record(file, wasIndexed ? 'updated' : 'imported', out.chunks.length);
    };

    // Enough lanes to keep every worker busy while the main thread writes to the stores.
    let next = 0;
    const lanes = Array.from({ length: pool.size + 1 }, async () => {
      while (next < work.length && !signal.aborted) await importOne(work[next++]!);
    });
    const settled = await Promise.allSettled(lanes);
    // Whatever finished is complete in SQLite: commit it to PG even when cancelled.
    await batch.flush();
    const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;

    if (req.removeMissing) summary.removed = await removeMissing(deps, target.id, req.paths, emit);
    progress(true);
    // A large import leaves a large WAL; fold it back so reads stay fast and the file small.
    if (summary.chunks >= 1_000) vectors.checkpoint();
    await finishJob(db, jobId, 'done', counters);
  } catch (err) {
    const cancelled = signal.aborted;
    summary.status = cancelled ? 'cancelled' : 'failed';
    await finishJob(
      db,
      jobId,
      summary.status,
      counters,
      cancelled ? 'cancelled by the user' : (err as Error).message,
    );
    if (!cancelled) throw err;
  } finally {
    // New tags on unchanged files change what tag filters match, too.
    if (summary.imported || summary.updated || summary.removed || (req.tags && summary.unchanged)) {
      // Answers, searches and golden answers over this collection may now be stale.
      await deps.events.emit('documents-changed', { collectionIds: [target.id] });
    }
    summary.durationMs = performance.now() - started;
  }
  return summary;
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

/** Runs fn over items with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/**
 * Collects finished documents and commits them together, at most every `everyMs` or `max`
 * documents; commits are chained so they never overlap. Job progress is saved with each commit.
 */
function createCommitBatcher(db: Db, jobId: number, counters: JobCounters, max = 64, everyMs = 300) {
  let indexed: IndexedDocument[] = [];
  let failed: FailedDocument[] = [];
  let chain: Promise<void> = Promise.resolve();
  let last = performance.now();
  const flush = (): Promise<void> => {
    const i = indexed;
    const f = failed;
    indexed = [];
    failed = [];
    last = performance.now();
    chain = chain.then(async () => {
      await commitDocuments(db, jobId, i, f);
      await saveProgress(db, jobId, counters);
    });
    return chain;
  };
  const maybeFlush = () => {
    if (indexed.length + failed.length >= max || performance.now() - last > everyMs)
      void flush().catch(() => undefined);
  };
  return {
    index(d: IndexedDocument) {
      indexed.push(d);
      maybeFlush();
    },
    fail(d: FailedDocument) {
      failed.push(d);
      maybeFlush();
    },
    flush,
  };
}

async function embedAll(embedder: Embedder, texts: string[], signal: AbortSignal): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += embedder.batchSize) {
    out.push(...(await embedder.embed(texts.slice(i, i + embedder.batchSize), signal)));
  }
  return out;
}

/** Documents under the given folders whose files no longer exist on disk. */
async function removeMissing(
  deps: ImportDeps,
  collectionId: number,
  roots: string[],
  emit: (e: ImportEvent) => void,
): Promise<number> {
  const folders = roots
    .map((r) => path.resolve(r))
    .filter((r) => fs.statSync(r, { throwIfNoEntry: false })?.isDirectory());
  if (!folders.length) return 0;
  const rows = await deps.db.query<{ id: number; source_path: string }>(
    'SELECT id, source_path FROM documents WHERE collection_id = $1',
    [collectionId],
  );
  let removed = 0;
  for (const row of rows) {
    const inside = folders.some((f) => row.source_path.startsWith(f + path.sep));
    if (!inside || fs.existsSync(row.source_path)) continue;
    await deleteDocument(deps.db, deps.vectors, Number(row.id));
    emit({ type: 'file', path: row.source_path, outcome: 'removed', chunks: 0 });
    removed++;
  }
  return removed;
}
