// Worker-thread side of an import: extract → chunk → (built-in) embed one file, off the main
// thread, so parsing runs on every core and a hostile file can be killed by the pool's time-outs.
// The document streams through: each page read is chunked at once, and its chunks go to the main
// thread a part at a time (PART_CHUNKS), so however long the document, neither thread holds more
// than a couple of parts of it. Pages read and parts handed over are progress: a large file that
// keeps moving is not mistaken for a stuck one.
import { parentPort } from 'node:worker_threads';
import { isAckMessage, reportAndWait, reportProgress } from '../../base/thread-pool/progress.ts';
import { createBuiltinEmbedder } from '../../models/embed/builtin.ts';
import { createChunker } from './chunk.ts';
import { extractFile } from './extract.ts';
import { mailFormatOf, runMailTask, type DocWriter } from './mail/mail-task.ts';
import {
  PART_CHUNKS,
  type FileTaskInput,
  type FileTaskOutput,
  type FileTaskProgress,
} from './file-task-types.ts';
import type { Chunk } from './types.ts';

const embedder = createBuiltinEmbedder();
const never = new AbortController().signal;

type Step = 'extract' | 'chunk' | 'embed';

/**
 * Gathers chunks into parts and hands each over (embedded first, for the built-in embedder). A
 * part is sent once the one before the last was taken in: the next part is made while the main
 * thread writes the last one, and no more than two are ever out.
 */
function createPartSender(embed: boolean, task: { step: Step }) {
  let buffer: Chunk[] = [];
  let taken: Promise<void> = Promise.resolve();
  let count = 0;
  const timings = { chunkMs: 0, embedMs: 0, waitMs: 0 };
  async function send(): Promise<void> {
    const chunks = buffer;
    buffer = [];
    let embeddings: Float32Array[] | null = null;
    if (embed) {
      task.step = 'embed';
      const t = performance.now();
      embeddings = await embedder.embed(chunks.map((c) => c.text));
      timings.embedMs += performance.now() - t;
    }
    task.step = 'extract';
    const t = performance.now();
    await taken;
    timings.waitMs += performance.now() - t;
    count += chunks.length;
    const transfer = embeddings ? [...new Set(embeddings.map((e) => e.buffer as ArrayBuffer))] : [];
    taken = reportAndWait<FileTaskProgress>({ step: 'part', chunks, embeddings }, transfer);
  }
  return {
    /** Takes the chunks a section completed (a generator, timed as chunking). */
    async add(chunks: Generator<Chunk, void, undefined>): Promise<void> {
      for (;;) {
        task.step = 'chunk';
        const t = performance.now();
        const next = chunks.next();
        timings.chunkMs += performance.now() - t;
        task.step = 'extract';
        if (next.done) return;
        buffer.push(next.value);
        if (buffer.length >= PART_CHUNKS) await send();
      }
    },
    /** Sends what is left and waits until every part was taken in. */
    async end(): Promise<void> {
      if (buffer.length > 0) await send();
      const t = performance.now();
      await taken;
      timings.waitMs += performance.now() - t;
    },
    count: () => count,
    timings,
  };
}

/** A chunker and a part sender for one document: what the mail task needs for each member. */
function createDocWriter(input: FileTaskInput, task: { step: Step }): DocWriter {
  const chunker = createChunker({ chunkSize: input.chunkSize, chunkOverlap: input.chunkOverlap }, (s) =>
    embedder.countTokens(s),
  );
  const parts = createPartSender(input.embed === 'builtin', task);
  return {
    add: (section) => parts.add(chunker.add(section)),
    async end() {
      await parts.add(chunker.end());
      await parts.end();
      return { chunkCount: parts.count(), timings: parts.timings };
    },
  };
}

async function run(input: FileTaskInput): Promise<FileTaskOutput> {
  const task: { step: Step } = { step: 'extract' };
  let fileType: string | null = null;
  try {
    // Mailboxes and message files hold documents of their own (messages, attachments).
    const mail = await mailFormatOf(input.path);
    if (mail) {
      fileType = mail.fileType;
      return await runMailTask({ input, newWriter: () => createDocWriter(input, task) }, mail);
    }
    const started = performance.now();
    const chunker = createChunker({ chunkSize: input.chunkSize, chunkOverlap: input.chunkOverlap }, (s) =>
      embedder.countTokens(s),
    );
    const parts = createPartSender(input.embed === 'builtin', task);
    const doc = await extractFile(input.path, {
      maxBytes: input.maxBytes,
      timeoutMs: input.timeoutMs,
      signal: never,
      onPage: (done, total, ocrPage) =>
        reportProgress<FileTaskProgress>({ step: 'extract', done, total, ...(ocrPage ? { ocrPage } : {}) }),
      onSection: (section) => parts.add(chunker.add(section)),
      ...(input.ocr ? { ocr: input.ocr } : {}),
    });
    fileType = doc.fileType;
    await parts.add(chunker.end());
    await parts.end();
    const { chunkMs, embedMs, waitMs } = parts.timings;
    return {
      ok: true,
      title: doc.title,
      author: doc.author ?? null,
      fileType: doc.fileType,
      mime: doc.mime,
      pageCount: doc.pageCount,
      warnings: doc.warnings,
      ...(doc.navigation ? { navigation: doc.navigation } : {}),
      chunkCount: parts.count(),
      ...(doc.ocr ? { ocr: doc.ocr } : {}),
      // Pages OCR left unread: an import with OCR on reads the file again (import-plan.ts).
      ...(doc.ocrUnread ? { facts: { ocrUnread: doc.ocrUnread } } : {}),
      timings: {
        extractMs: Math.max(0, performance.now() - started - chunkMs - embedMs - waitMs),
        chunkMs,
        embedMs,
      },
    };
  } catch (err) {
    const e = err as { reason?: string; message?: string };
    return {
      ok: false,
      step: task.step,
      fileType,
      reason: e.reason ?? 'unreadable',
      message: e.message ?? String(err),
    };
  }
}

parentPort!.on('message', (msg: unknown) => {
  if (isAckMessage(msg)) return; // the answer to a part handed over (see reportAndWait)
  void run(msg as FileTaskInput).then((out) => parentPort!.postMessage(out));
});
