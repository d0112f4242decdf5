// Chat generation through the isolated model process (core/models/llm/chat.ts) on generated llama models:
// the `tiny` test shape and a 1B-shape Q4_0 model (Llama 3.2 1B's layer shapes, ~0.55 GB). Prints
// model load time, time to first token for a ~2k-token RAG-style prompt (prompt evaluation
// dominates it) and decode tokens/s, with threads = os.availableParallelism().
// `npx tsx bench/llm.ts` or benchLlm() from bench/run.ts. Writing the 1B file takes ~30–60 s.
// Random weights rarely emit the end-of-turn token, so every run decodes the full token budget.
// benchLlmAbort (`npm run bench -- llm-abort`): how quickly a cancelled generation lets go.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createChatModel } from '../core/models/llm/chat.ts';
import type { ChatMessage } from '../core/models/llm/chat.ts';
import { TINY_CORPUS } from '../test/support/gguf/bpe.ts';
import { TINY_SHAPES, writeTinyLlama } from '../test/support/gguf/tiny-llama.ts';
import type { TinyQuant, TinyShape } from '../test/support/gguf/tiny-llama.ts';
import { fmtDist, median, ratio, withReport, type Reference } from './report.ts';
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
  await withReport('llm', runLlm);
}

async function runLlm(ref: Reference): Promise<void> {
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
            `${r.timings.tokensPerSecond.toFixed(1)} tokens/s over ${r.tokensOut} tokens · ` +
            `first token ${ratio(r.timings.firstTokenMs, ref.cpuMs)} the CPU loop, start ${ratio(startMs, ref.spawnMs)} a node spawn ` +
            '(one generation: a single run, not a median)',
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

/**
 * Cancelling a generation on the tiny model (one thread, as test/models-chat.test.ts runs it),
 * aborted on its 2nd streamed token: the time from abort() to the call's rejection (the caller
 * should not wait for the process), and from abort() to the answer of a 3-token call sent at once
 * (the process must stop the aborted generation before it serves the next one). The reference,
 * in the same loop, is the same 3-token call with nothing to cancel before it.
 *
 *   npm run bench -- llm-abort      LLM_ABORT_RUNS=10 by default
 */
export async function benchLlmAbort(): Promise<void> {
  await withReport('llm-abort', async () => {
    const runs = Math.max(1, Number(process.env.LLM_ABORT_RUNS ?? 10));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-bench-llm-abort-'));
    try {
      const file = path.join(dir, 'tiny.gguf');
      await writeTinyLlama(file, { quant: 'q8_0', seed: 31 });
      const model = await createChatModel({ modelPath: file, contextSize: 512, threads: 1, gpu: false });
      const messages: ChatMessage[] = [
        { role: 'system', content: 'Answer from the passages, cite them as [n].' },
        { role: 'user', content: 'How long does a visa extension take?' },
      ];
      try {
        await model.generate({ messages, maxTokens: 3, temperature: 0 }); // warm-up
        const rejectMs: number[] = [];
        const nextMs: number[] = [];
        const plainMs: number[] = [];
        for (let r = 0; r < runs; r++) {
          const ac = new AbortController();
          let tokens = 0;
          let abortedAt = 0;
          const call = model.generate({
            messages,
            maxTokens: 400,
            temperature: 0,
            signal: ac.signal,
            onToken: () => {
              if (++tokens !== 2) return;
              abortedAt = performance.now();
              ac.abort();
            },
          });
          await call.then(
            () => {
              throw new Error('the generation was not cancelled');
            },
            () => undefined,
          );
          rejectMs.push(performance.now() - abortedAt);
          await model.generate({ messages, maxTokens: 3, temperature: 0 });
          nextMs.push(performance.now() - abortedAt);

          const t = performance.now();
          await model.generate({ messages, maxTokens: 3, temperature: 0 });
          plainMs.push(performance.now() - t);
        }
        console.log(`  tiny q8_0, 1 thread, ${runs} runs`);
        console.log(`  abort → rejection          ${fmtDist(rejectMs, 2)}`);
        console.log(`  abort → next call answered ${fmtDist(nextMs)}`);
        console.log(
          `  reference: the same 3-token call alone ${fmtDist(plainMs)}; abort → next answer = ` +
            `${ratio(median(nextMs), median(plainMs))} it`,
        );
      } finally {
        await model.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchLlm();
}
