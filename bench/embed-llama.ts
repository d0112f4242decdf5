// GGUF embeddings through the isolated model process (core/models/embed/llama.ts), on generated llama
// models: the `tiny` test shape and a ~114M-parameter shape (768 × 12 layers). Prints start-up
// time, chunks/s and tokens/s for 1 and 2 parallel contexts (median of 5 passes for tiny, 3 for 100m,
// with min and max), and generation tokens/s (in-process).
// `npx tsx bench/embed-llama.ts` or benchLlamaEmbed() from bench/run.ts. About a minute on 2 cores.
// Figures swing widely when anything else uses the CPU: ggml threads wait on each other at every
// op, so with as many threads as cores one busy core slows a small model 10–100×.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama } from 'node-llama-cpp';
import { createLlamaEmbedder } from '../core/models/embed/llama.ts';
import { TINY_CORPUS } from '../test/support/gguf/bpe.ts';
import { TINY_SHAPES, writeTinyLlama } from '../test/support/gguf/tiny-llama.ts';
import type { TinyQuant, TinyShape } from '../test/support/gguf/tiny-llama.ts';
import { dist, ratio, withReport, type Reference } from './report.ts';
import { fmtMB, fmtMs } from './stats.ts';

interface Case {
  shape: TinyShape;
  quant: TinyQuant;
  chunks: number;
  /** Timed passes over the chunks; the median is reported. */
  passes: number;
}

/** Chunk-like texts of about `words` words, cut from the built-in corpus at varying offsets. */
function chunks(n: number, words = 120): string[] {
  const all = TINY_CORPUS.split(/\s+/).filter(Boolean);
  return Array.from({ length: n }, (_, i) => {
    const out: string[] = [];
    for (let k = 0; k < words; k++) out.push(all[(i * 53 + k) % all.length]!);
    return `Chunk ${i}. ${out.join(' ')}`;
  });
}

/** Decode speed in-process: tokens/s after the first token (EOS ignored), greedy. */
async function generationTokensPerSecond(
  llama: Llama,
  modelPath: string,
  threads: number,
  n = 64,
): Promise<number> {
  const model = await llama.loadModel({ modelPath });
  const ctx = await model.createContext({ contextSize: 512, threads });
  const prompt = model.tokenize('The consultant answers questions about visas');
  let count = 0;
  let first = 0;
  for await (const _token of ctx.getSequence().evaluate(prompt, { temperature: 0 })) {
    if (count++ === 0) first = performance.now();
    if (count >= n) break;
  }
  const s = (performance.now() - first) / 1000;
  await ctx.dispose();
  await model.dispose();
  return (count - 1) / s;
}

export async function benchLlamaEmbed(): Promise<void> {
  await withReport('llama', runLlamaEmbed);
}

async function runLlamaEmbed(ref: Reference): Promise<void> {
  const threads = os.availableParallelism();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-llama-'));
  const cases: Case[] = [
    { shape: 'tiny', quant: 'q8_0', chunks: 200, passes: 5 },
    { shape: '100m', quant: 'q8_0', chunks: 4, passes: 3 },
  ];
  console.log(`\nGGUF embeddings in the model process (${threads} threads, Node ${process.versions.node})`);
  const llama = await getLlama({
    gpu: false,
    maxThreads: threads,
    build: 'never',
    logLevel: LlamaLogLevel.error,
  });
  try {
    for (const c of cases) {
      const file = path.join(dir, `${c.shape}-${c.quant}.gguf`);
      const t0 = performance.now();
      const written = await writeTinyLlama(file, { ...TINY_SHAPES[c.shape], quant: c.quant });
      const writeMs = performance.now() - t0;
      console.log(
        `\n${c.shape} ${c.quant}: ${(written.nParams / 1e6).toFixed(1)}M parameters, ${fmtMB(written.bytes)} ` +
          `(generated in ${fmtMs(writeMs)})`,
      );
      const texts = chunks(c.chunks);
      for (const contexts of [1, 2]) {
        const s0 = performance.now();
        const e = await createLlamaEmbedder({ modelPath: file, threads, contexts, contextSize: 512 });
        const startMs = performance.now() - s0;
        try {
          const tokens = (await e.countTokensExact(texts)).reduce((a, b) => a + b, 0);
          await e.embed(texts.slice(0, 2)); // warm-up
          // The median of several passes (min and max beside it): other processes on a small
          // machine make single runs noisy, and a best run hides how noisy.
          const passMs: number[] = [];
          for (let pass = 0; pass < c.passes; pass++) {
            const e0 = performance.now();
            for (let i = 0; i < texts.length; i += e.batchSize)
              await e.embed(texts.slice(i, i + e.batchSize));
            passMs.push(performance.now() - e0);
          }
          const d = dist(passMs);
          const s = d.p50 / 1000;
          console.log(
            `  ${contexts} context(s) × ${e.info.threadsPerContext} thread(s): start ${fmtMs(startMs)} ` +
              `(model load in child ${fmtMs(e.info.loadMs)}), ${(texts.length / s).toFixed(1)} chunks/s, ` +
              `${(tokens / s).toFixed(0)} tokens/s (${Math.round(tokens / texts.length)} tokens/chunk); ` +
              `pass median ${fmtMs(d.p50)} (min ${fmtMs(d.min)}, max ${fmtMs(d.max)}; ${d.n} passes) = ` +
              `${ratio(d.p50, ref.cpuMs)} the CPU loop`,
          );
        } finally {
          await e.close();
        }
      }
      const genMany = await generationTokensPerSecond(llama, file, threads);
      const genOne = await generationTokensPerSecond(llama, file, 1);
      console.log(
        `  generation (in-process, decode after the prompt): ${genMany.toFixed(1)} tokens/s with ${threads} ` +
          `thread(s), ${genOne.toFixed(1)} with 1`,
      );
    }
  } finally {
    await llama.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchLlamaEmbed();
}
