// Chat generation through the isolated model process (core/models/llm/chat.ts) on generated llama models:
// the `tiny` test shape and a 1B-shape Q4_0 model (Llama 3.2 1B's layer shapes, ~0.55 GB). Prints
// model load time, time to first token for a ~2k-token RAG-style prompt (prompt evaluation
// dominates it) and decode tokens/s, with threads = os.availableParallelism().
// `npx tsx bench/llm.ts` or benchLlm() from bench/run.ts. Writing the 1B file takes ~30–60 s.
// Random weights rarely emit the end-of-turn token, so every run decodes the full token budget.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChatModel } from '../core/models/llm/chat.ts';
import type { ChatMessage } from '../core/models/llm/chat.ts';
import { TINY_CORPUS } from '../test/support/gguf/bpe.ts';
import { TINY_SHAPES, writeTinyLlama } from '../test/support/gguf/tiny-llama.ts';
import type { TinyQuant, TinyShape } from '../test/support/gguf/tiny-llama.ts';
import { fmtMB, fmtMs } from './stats.ts';

const CASES: { shape: TinyShape; quant: TinyQuant }[] = [
  { shape: 'tiny', quant: 'q8_0' },
  { shape: '1b', quant: 'q4_0' },
];
/** The 1B Q4_0 file plus room to spare. */
const NEEDED_BYTES = 1.2 * 1024 ** 3;

/** A system prompt and numbered passages of about `words` words (~2k tokens for 900 words with the test tokenizer). */
function ragPrompt(words: number): ChatMessage[] {
  const all = TINY_CORPUS.split(/\s+/).filter(Boolean);
  const passages: string[] = [];
  for (let n = 1, used = 0; used < words; n++) {
    const out: string[] = [];
    for (let k = 0; k < 120; k++) out.push(all[(n * 97 + k) % all.length]!);
    passages.push(`[${n}] ${out.join(' ')}`);
    used += out.length;
  }
  return [
    { role: 'system', content: 'Answer only from the numbered passages and cite them as [n].' },
    { role: 'user', content: `${passages.join('\n\n')}\n\nQuestion: how long does a visa extension take?` },
  ];
}

export async function benchLlm(): Promise<void> {
  const threads = os.availableParallelism();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-llm-'));
  console.log(`\nChat generation in the model process (${threads} threads, Node ${process.versions.node})`);
  try {
    const free = fs.statfsSync(dir);
    const freeBytes = free.bavail * free.bsize;
    for (const c of CASES) {
      if (c.shape === '1b' && freeBytes < NEEDED_BYTES) {
        console.log(`  ${c.shape}: skipped, only ${fmtMB(freeBytes)} free in ${os.tmpdir()}`);
        continue;
      }
      const file = path.join(dir, `${c.shape}-${c.quant}.gguf`);
      const t0 = performance.now();
      const written = await writeTinyLlama(file, { ...TINY_SHAPES[c.shape], quant: c.quant, ctx: 4096 });
      console.log(
        `\n${c.shape} ${c.quant}: ${(written.nParams / 1e6).toFixed(1)}M parameters, ${fmtMB(written.bytes)} ` +
          `(generated in ${fmtMs(performance.now() - t0)})`,
      );
      const s0 = performance.now();
      const model = await createChatModel({ modelPath: file, contextSize: 4096, threads, gpu: false });
      const startMs = performance.now() - s0;
      try {
        const messages = ragPrompt(900);
        const r = await model.generate({ messages, maxTokens: 48, temperature: 0 });
        console.log(
          `  start ${fmtMs(startMs)} (model load in child ${fmtMs(r.timings.loadMs)}) · prompt ${r.tokensIn} tokens · ` +
            `first token ${fmtMs(r.timings.firstTokenMs)} (${((r.tokensIn / r.timings.firstTokenMs) * 1000).toFixed(0)} prompt tokens/s) · ` +
            `${r.timings.tokensPerSecond.toFixed(1)} tokens/s over ${r.tokensOut} tokens`,
        );
      } finally {
        await model.close();
      }
      fs.rmSync(file, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchLlm();
}
