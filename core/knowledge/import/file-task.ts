// Worker-thread side of an import: extract → chunk → (built-in) embed one file, off the main
// thread, so parsing runs on every core and a hostile file can be killed by the pool's time-out.
import { parentPort } from 'node:worker_threads';
import { createBuiltinEmbedder } from '../../models/embed/builtin.ts';
import { chunkDocument } from './chunk.ts';
import { extractFile } from './extract.ts';
import type { FileTaskInput, FileTaskOutput } from './file-task-types.ts';

const embedder = createBuiltinEmbedder();
const never = new AbortController().signal;

async function run(input: FileTaskInput): Promise<{ out: FileTaskOutput; transfer: ArrayBuffer[] }> {
  let step: 'extract' | 'chunk' | 'embed' = 'extract';
  let fileType: string | null = null;
  try {
    let t = performance.now();
    const doc = await extractFile(input.path, {
      maxBytes: input.maxBytes,
      timeoutMs: input.timeoutMs,
      signal: never,
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
    if (input.embed === 'builtin') embeddings = await embedder.embed(chunks.map((c) => c.text));
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
