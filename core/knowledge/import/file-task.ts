// Worker-thread side of an import: extract → chunk → (built-in) embed one file, off the main
// thread, so parsing runs on every core and a hostile file can be killed by the pool's time-outs.
// Pages read and chunks embedded are reported as they go: a large file that keeps moving is not
// mistaken for a stuck one.
import { parentPort } from 'node:worker_threads';
import { reportProgress } from '../../base/thread-pool/progress.ts';
import { createBuiltinEmbedder } from '../../models/embed/builtin.ts';
import { chunkDocument } from './chunk.ts';
import { extractFile } from './extract.ts';
import type { FileTaskInput, FileTaskOutput, FileTaskProgress } from './file-task-types.ts';

const embedder = createBuiltinEmbedder();
const never = new AbortController().signal;
const report = (p: FileTaskProgress) => reportProgress(p);

/** Embeds in batches, reporting each, so a document of many chunks shows it is moving. */
async function embedInBatches(texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  const size = embedder.batchSize * 4;
  for (let i = 0; i < texts.length; i += size) {
    for (const e of await embedder.embed(texts.slice(i, i + size))) out.push(e);
    report({ step: 'embed', done: Math.min(i + size, texts.length), total: texts.length });
  }
  return out;
}

async function run(input: FileTaskInput): Promise<{ out: FileTaskOutput; transfer: ArrayBuffer[] }> {
  let step: 'extract' | 'chunk' | 'embed' = 'extract';
  let fileType: string | null = null;
  try {
    let t = performance.now();
    const doc = await extractFile(input.path, {
      maxBytes: input.maxBytes,
      timeoutMs: input.timeoutMs,
      signal: never,
      onPage: (done, total) => report({ step: 'extract', done, total }),
    });
    fileType = doc.fileType;
    const extractMs = performance.now() - t;

    step = 'chunk';
    t = performance.now();
    const chunks = chunkDocument(doc, { chunkSize: input.chunkSize, chunkOverlap: input.chunkOverlap }, (s) =>
      embedder.countTokens(s),
    );
    const chunkMs = performance.now() - t;

    step = 'embed';
    t = performance.now();
    let embeddings: Float32Array[] | null = null;
    if (input.embed === 'builtin') embeddings = await embedInBatches(chunks.map((c) => c.text));
    const embedMs = input.embed === 'builtin' ? performance.now() - t : 0;

    return {
      out: {
        ok: true,
        title: doc.title,
        fileType: doc.fileType,
        mime: doc.mime,
        pageCount: doc.pageCount,
        warnings: doc.warnings,
        chunks,
        embeddings,
        timings: { extractMs, chunkMs, embedMs },
      },
      transfer: embeddings ? embeddings.map((e) => e.buffer as ArrayBuffer) : [],
    };
  } catch (err) {
    const e = err as { reason?: string; message?: string };
    return {
      out: { ok: false, step, fileType, reason: e.reason ?? 'unreadable', message: e.message ?? String(err) },
      transfer: [],
    };
  }
}

parentPort!.on('message', (input: FileTaskInput) => {
  void run(input).then(({ out, transfer }) => parentPort!.postMessage(out, transfer));
});
