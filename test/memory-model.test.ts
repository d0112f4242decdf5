/**
 * Memory extraction with a model: the tiny generated Llama has random weights, so what it says is
 * junk — but the grammar makes it JSON of the schema, and grounding drops every item that is not
 * in the message. The facts are then exactly what the patterns find, and nothing invented.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { chatModelFor, configureChatModels } from '../core/models/llm/chat-models.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { activeModel } from '../core/models/llm/models.ts';
import { analyzeConversation } from '../core/assistant/memory/analyze.ts';
import { MEMORY_JSON_SCHEMA, extractWithModel } from '../core/assistant/memory/extract-model.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';

let engine: Engine;
let client: ApiClient;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-memory-model-'));

async function conversation(texts: string[]): Promise<number> {
  const [c] = await engine.db.query<{ id: number }>(
    `INSERT INTO conversations (title) VALUES ('t') RETURNING id`,
  );
  for (const t of texts) {
    await engine.db.query(`INSERT INTO messages (conversation_id, role, content) VALUES ($1, 'user', $2)`, [
      c!.id,
      t,
    ]);
  }
  return Number(c!.id);
}

beforeAll(async () => {
  engine = await openEngine({ dataDir: path.join(root, 'data') });
  configureChatModels(engine, { threads: 1, contextSize: 1024 });
  const dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  const file = path.join(root, 'tiny.gguf');
  await writeTinyLlama(file, { quant: 'q8_0', seed: 11, ctx: 2048, name: 'tiny-memory' });
  const imported = await client.call('models.import', { path: file });
  await client.call('models.use', { model: imported.model.id, role: 'chat' });
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('memory extraction with the local model (tiny generated Llama)', () => {
  it('a grammar-constrained reply parses as JSON of the schema', async () => {
    const row = (await activeModel(engine, 'chat'))!;
    const model = await chatModelFor(engine, row.path, `${row.path}\n${row.sha256}`);
    const r = await model.generate({
      messages: [{ role: 'user', content: 'Is Budi a client? Answer in JSON.' }],
      maxTokens: 64,
      temperature: 0,
      jsonSchema: {
        type: 'object',
        properties: { client: { type: 'boolean' }, kind: { enum: ['person', 'company'] } },
      },
    });
    const parsed = JSON.parse(r.text) as { client: unknown; kind: unknown };
    expect(typeof parsed.client).toBe('boolean');
    expect(['person', 'company']).toContain(parsed.kind);
    expect(MEMORY_JSON_SCHEMA.properties.facts.maxItems).toBeGreaterThan(0);
  });

  it('junk from the model is validated and grounded away; the facts are the patterns’ own', async () => {
    const text =
      'Pak Budi Santoso of PT Maju Jaya needs a KITAS renewal before 12 March 2026, budget Rp 15.000.000.';
    const row = (await activeModel(engine, 'chat'))!;
    const model = await chatModelFor(engine, row.path, `${row.path}\n${row.sha256}`);
    const mx = await extractWithModel(model, text);
    expect(mx.tokensIn).toBeGreaterThan(50);
    expect(mx.tokensOut).toBeGreaterThan(0);
    // Either the reply was cut off / invalid (reason given) or it parsed and its junk was dropped.
    if (!mx.valid) expect(mx.reason).toMatch(/cut off|not JSON|schema/u);
    for (const f of mx.extraction.facts) expect(text.toLowerCase()).toContain(f.subject.toLowerCase());

    const id = await conversation([text, 'Pak Budi lives in Jakarta.']);
    const r = await analyzeConversation(engine, id, { useModel: true });
    expect(r).toMatchObject({ method: 'model', messages: 2 });
    expect(r.tokensIn).toBeGreaterThan(100);
    const { facts } = await client.call('memory.facts', { conversationId: id });
    const expected = [
      'Budi Santoso | budget | IDR 15,000,000',
      'Budi Santoso | company | PT Maju Jaya',
      'Budi Santoso | location | Jakarta',
      'Budi Santoso | needs | a KITAS renewal before 12 March 2026',
    ];
    const fromModel = facts.filter((f) => f.method === 'model');
    for (const f of fromModel) {
      // Whatever the model kept is in the messages, word for word.
      expect(`${text} Pak Budi lives in Jakarta.`.toLowerCase()).toContain(
        f.value.toLowerCase().split(' ')[0],
      );
    }
    const covered = (l: string) => fromModel.some((f) => l.startsWith(`${f.subject} | ${f.attribute} |`));
    expect(
      facts
        .filter((f) => f.method === 'patterns')
        .map((f) => `${f.subject} | ${f.attribute} | ${f.value}`)
        .sort(),
    ).toEqual(expected.filter((l) => !covered(l)));
    // The model pass moved both watermarks: a patterns-only pass has nothing left to read.
    expect(await analyzeConversation(engine, id)).toMatchObject({ messages: 0 });
    const again = await analyzeConversation(engine, id, { useModel: true });
    expect(again).toMatchObject({ messages: 0, tokensIn: 0 });
  });

  it('stops calling the model when the token budget is spent, and resumes there on the next run', async () => {
    const id = await conversation(['Ibu Sari moved to Surabaya.', 'Ibu Sari needs an NPWP.']);
    const first = await client.call('memory.analyze', { conversationId: id, useModel: true, maxTokens: 1 });
    expect(first.messages).toBe(1);
    const rest = await client.call('memory.analyze', { conversationId: id, useModel: true });
    expect(rest.messages).toBe(1);
    const { facts } = await client.call('memory.facts', { conversationId: id });
    expect(facts.map((f) => `${f.subject} | ${f.attribute} | ${f.value}`)).toEqual(
      expect.arrayContaining(['Sari | location | Surabaya', 'Sari | needs | an NPWP']),
    );
  });
});
