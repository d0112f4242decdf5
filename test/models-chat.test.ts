import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatModel, ChatModelCrashError } from '../core/models/llm/chat.ts';
import type { ChatModel } from '../core/models/llm/chat.ts';
import { childHostStarts } from '../core/models/llm/child-host.ts';
import { GgufError } from '../core/models/gguf/reader.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { makeTempDir } from './support/gguf/test-helpers.ts';

let dir: string;
let modelPath: string;
let model: ChatModel;

const QUESTION = [
  { role: 'system' as const, content: 'Answer from the passages, cite them as [n].' },
  { role: 'user' as const, content: 'How long does a visa extension take?' },
];

beforeAll(async () => {
  dir = await makeTempDir('pustaka-chat-');
  modelPath = path.join(dir, 'tiny.gguf');
  await writeTinyLlama(modelPath, { quant: 'q8_0', seed: 31 });
  // One thread: this test must not depend on how busy the machine's other core is.
  model = await createChatModel({ modelPath, contextSize: 512, threads: 1 });
});
afterAll(async () => {
  await model?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('chat model (tiny model, child process)', () => {
  it("loads with the model's own chat template in a separate process", () => {
    expect(model.info).toMatchObject({ chatWrapper: 'Llama3ChatWrapper', contextSize: 512, gpu: false });
    expect(model.pid).toBeGreaterThan(0);
    expect(model.pid).not.toBe(process.pid);
    expect(model.gguf.architecture).toBe('llama');
  });

  it('streams tokens and reports counts and timings', async () => {
    const chunks: string[] = [];
    const r = await model.generate({
      messages: QUESTION,
      maxTokens: 12,
      temperature: 0,
      onToken: (t) => chunks.push(t),
    });
    expect(chunks.length).toBeGreaterThanOrEqual(1);
    expect(chunks.join('')).toBe(r.text);
    expect(r.tokensOut).toBeGreaterThan(0);
    expect(r.tokensOut).toBeLessThanOrEqual(12);
    // The template adds header tokens around the two messages.
    const [sys, user] = await model.countTokens(QUESTION.map((m) => m.content));
    expect(r.tokensIn).toBeGreaterThan(sys! + user!);
    // Timings: the first token came after the call started and no later than the whole reply.
    expect(r.timings.loadMs).toBeGreaterThan(0);
    expect(r.timings.firstTokenMs).toBeGreaterThan(0);
    expect(r.timings.firstTokenMs).toBeLessThanOrEqual(r.timings.totalMs);
  });

  it("counts tokens exactly with the model's tokenizer", async () => {
    const counts = await model.countTokens(['', 'visa', 'visa visa visa visa']);
    expect(counts[0]).toBe(0);
    expect(counts[1]).toBeGreaterThan(0);
    expect(counts[2]).toBeGreaterThan(counts[1]!);
  });

  // How quickly an abort takes effect: `npm run bench -- llm-abort` (bench/llm.ts), not a test.
  it('stops when cancelled mid-generation, without waiting for the process, and answers the next call', async () => {
    const pid = model.pid!;
    const ac = new AbortController();
    let tokens = 0;
    const call = model.generate({
      messages: QUESTION,
      maxTokens: 400,
      signal: ac.signal,
      onToken: () => {
        if (++tokens !== 2) return;
        // Frozen before the abort: the call must reject without any answer from the process.
        process.kill(pid, 'SIGSTOP');
        ac.abort();
      },
    });
    try {
      await expect(call).rejects.toMatchObject({ name: 'AbortError' });
      expect(tokens).toBe(2);
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    // The same process answers the next call, and the tokens the aborted generation may still
    // have sent never reach its onToken.
    const chunks: string[] = [];
    const next = await model.generate({ messages: QUESTION, maxTokens: 3, onToken: (t) => chunks.push(t) });
    expect(next.tokensOut).toBeGreaterThan(0);
    expect(next.tokensOut).toBeLessThanOrEqual(3);
    expect(chunks.join('')).toBe(next.text);
    expect(tokens).toBe(2);
    expect(model.pid).toBe(pid);
    expect(model.stats.restarts).toBe(0);

    const pre = new AbortController();
    pre.abort();
    await expect(model.generate({ messages: QUESTION, signal: pre.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('rejects the pending call when the process is killed mid-generation, then restarts', async () => {
    const pid = model.pid!;
    let killed = false;
    const call = model.generate({
      messages: QUESTION,
      maxTokens: 400,
      onToken: () => {
        if (!killed) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      },
    });
    await expect(call).rejects.toThrow(ChatModelCrashError);
    await expect(call).rejects.toThrow(/the chat model process crashed \(signal SIGKILL\) while generating/);
    const r = await model.generate({ messages: QUESTION, maxTokens: 3 });
    expect(r.tokensOut).toBeGreaterThan(0);
    expect(model.pid).not.toBe(pid);
    expect(model.stats.restarts).toBe(1);
  });

  it('refuses a bad file before starting a process', async () => {
    const starts = childHostStarts();
    const bad = path.join(dir, 'bad.gguf');
    fs.writeFileSync(bad, 'GGUF but not really');
    await expect(createChatModel({ modelPath: bad })).rejects.toThrow(GgufError);
    const fatal = path.join(dir, 'fatal.gguf');
    await writeTinyLlama(fatal, { omitMetadata: ['llama.feed_forward_length'] });
    await expect(createChatModel({ modelPath: fatal })).rejects.toThrow(/llama\.feed_forward_length/);
    expect(childHostStarts()).toBe(starts);
  });
});
