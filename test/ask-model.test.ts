import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AskEvent } from '../core/contract/methods/ask.ts';
import { ask, MODEL_FAILED_LABEL } from '../core/assistant/ask/ask.ts';
import { configureChatModels } from '../core/models/llm/chat-models.ts';
import { childHostStarts } from '../core/models/llm/child-host.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const VISA_MD = `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. Renewing a KITAS takes about two weeks.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS.
`;

async function setup(link = false) {
  const t = await openTestEngine();
  // One thread: these tests must not depend on how busy the machine's other core is.
  configureChatModels(t.engine, { threads: 1, contextSize: 1024 });
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'visa.md'), VISA_MD);
  await t.client.call('import.run', { collection: 'Visa', create: true, paths: [root] });
  const modelFile = path.join(tempDir(), 'tiny.gguf');
  await writeTinyLlama(modelFile, { quant: 'q8_0', seed: 7, ctx: 2048, name: 'tiny-chat' });
  const imported = await t.client.call('models.import', { path: modelFile, link });
  await t.client.call('models.use', { model: imported.model.id, role: 'chat' });
  return { ...t, modelFile, modelName: imported.model.name };
}

describe('ask with a local model (tiny generated Llama)', () => {
  it('streams tokens, persists the answer and its log, reuses the loaded model, and cancels to a partial answer', async () => {
    const { engine, client, modelName } = await setup();
    const events: AskEvent[] = [];
    const starts = childHostStarts();
    const r = await client.call(
      'ask',
      { question: 'What is a KITAS?', k: 3 },
      { onEvent: (e) => events.push(e) },
    );
    expect(childHostStarts()).toBe(starts + 1);
    expect(r.path).toBe('rag');
    expect(r.model).toBe(modelName);
    const tokens = events.filter((e) => e.type === 'token').map((e) => e.text);
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.join('')).toBe(r.answer);
    expect(events[0]).toEqual({ type: 'retrieved', passages: r.passages });
    expect(r.passages).toBeGreaterThan(0);
    expect(r.tokens.in).toBeGreaterThan(50);
    expect(r.tokens.out).toBeGreaterThan(0);
    expect(r.tokens.out).toBeLessThanOrEqual(256);
    expect(r.timings.firstTokenMs).not.toBeNull();
    expect(r.timings.promptMs).toBeGreaterThan(0);
    expect(r.timings.generateMs).toBeGreaterThan(0);

    const [msg] = await engine.db.query<{ path: string; content: string; model: string; tokens_out: number }>(
      'SELECT path, content, model, tokens_out FROM messages WHERE id = $1',
      [r.messageId],
    );
    expect(msg).toEqual({ path: 'rag', content: r.answer, model: modelName, tokens_out: r.tokens.out });
    const [log] = await engine.db.query<{
      path: string;
      model: string;
      tokens_in: number;
      latency_ms: object;
    }>('SELECT path, model, tokens_in, latency_ms FROM query_logs');
    expect(log).toMatchObject({ path: 'rag', model: modelName, tokens_in: r.tokens.in });
    expect(log!.latency_ms).toHaveProperty('firstTokenMs');

    // Cancelled after a few tokens: the partial answer is kept, and the same process served it.
    const ac = new AbortController();
    const streamed: string[] = [];
    const partial = await ask(
      engine,
      { question: 'How long does renewing a KITAS take?', conversationId: r.conversationId },
      {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type !== 'token') return;
          streamed.push(e.text);
          if (streamed.length === 3) ac.abort();
        },
      },
    );
    expect(childHostStarts()).toBe(starts + 1);
    expect(partial.status).toBe('partial');
    expect(partial.path).toBe('rag');
    expect(partial.notice).toContain('cancelled');
    expect(partial.answer).toBe(streamed.join(''));
    expect(partial.conversationId).toBe(r.conversationId);
    const conv = await client.call('conversations.get', { id: r.conversationId });
    expect(conv.messages.map((m) => `${m.role}:${m.status}`)).toEqual([
      'user:complete',
      'assistant:' + (r.status === 'partial' ? 'partial' : 'complete'),
      'user:complete',
      'assistant:partial',
    ]);
    expect(conv.messages[3]!.content).toBe(partial.answer);
  });

  it('falls back to an extractive answer with a notice when the model file is damaged or missing', async () => {
    const { engine, modelFile, modelName } = await setup(true);
    // Damaged behind our back (the model was linked, not copied).
    fs.writeFileSync(modelFile, Buffer.from('GGUF but not really a model'));
    const starts = childHostStarts();
    const r = await ask(engine, { question: 'What is a KITAP?' });
    expect(childHostStarts()).toBe(starts);
    expect(r.path).toBe('extractive');
    expect(r.answer.startsWith(MODEL_FAILED_LABEL)).toBe(true);
    expect(r.citations.length).toBeGreaterThan(0);
    expect(r.notice).toMatch(new RegExp(`chat model "${modelName}" could not be loaded \\(.+\\)`));

    fs.rmSync(modelFile);
    const missing = await ask(engine, { question: 'What is a KITAP?' });
    expect(missing.path).toBe('extractive');
    expect(missing.notice).toContain('missing its file');
    // Fallback answers are not cached: a repaired model gets its chance.
    expect((await ask(engine, { question: 'What is a KITAP?' })).path).toBe('extractive');
  });
});
