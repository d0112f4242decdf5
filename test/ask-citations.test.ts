/**
 * Citations of generated ('rag') answers: `[n]` maps to the n-th passage the prompt gave the
 * model; numbers with no such passage are dropped and named in the notice. The citation stage with
 * crafted replies (directly and through the real ask flow with a scripted model), and the real
 * tiny Llama's answer, whatever its random text cites.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AskResult } from '../core/contract/methods/ask.ts';
import type { ModelInfo } from '../core/contract/methods/models.ts';
import type { SearchItem } from '../core/contract/methods/search.ts';
import { mapCitations, parseCitationNumbers, quoteOf } from '../core/assistant/ask/citations.ts';
import type { AskContext } from '../core/assistant/ask/context.ts';
import { ragOutcome } from '../core/assistant/ask/generate.ts';
import { formatPassage } from '../core/assistant/ask/prompt.ts';
import { configureChatModels } from '../core/models/llm/chat-models.ts';
import { installFakeChatModel } from './support/fake-chat-model.ts';
import { writeTinyLlama } from './support/gguf/tiny-llama.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const VISA_MD = `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. Renewing a KITAS takes about two weeks.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS.

## Visa on arrival

A visa on arrival is valid for thirty days and can be extended once at an immigration office.
`;

const QUESTION = 'What is a KITAS permit and a KITAP permit?';

function passage(n: number): SearchItem {
  return {
    rank: n,
    score: 1 / n,
    chunkId: 100 + n,
    documentId: 10 + n,
    collectionId: 1,
    title: `Doc ${n}`,
    sourcePath: `/docs/doc-${n}.md`,
    headingPath: ['Guide', `Part ${n}`],
    page: null,
    text: `Passage number ${n} says something.`,
    highlights: [],
  };
}

// One generated model file for the whole file (each test imports its own copy).
const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-citations-'));
const modelFile = path.join(modelDir, 'tiny.gguf');
beforeAll(() => writeTinyLlama(modelFile, { quant: 'q8_0', seed: 7, ctx: 2048, name: 'tiny-chat' }));
afterAll(() => fs.rmSync(modelDir, { recursive: true, force: true }));

async function setup() {
  const t = await openTestEngine();
  configureChatModels(t.engine, { threads: 1, contextSize: 1024 });
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'visa.md'), VISA_MD);
  await t.client.call('import.run', { collection: 'Visa', create: true, paths: [root] });
  const imported = await t.client.call('models.import', { path: modelFile });
  await t.client.call('models.use', { model: imported.model.id, role: 'chat' });
  return { ...t, modelName: imported.model.name };
}

/** Every citation names the passage of its number, among those the prompt numbered. */
function expectCitationsOf(r: AskResult, passages: readonly SearchItem[]) {
  for (const c of r.citations) {
    const p = passages[c.n - 1]!;
    expect(p, `[${c.n}] has a passage`).toBeDefined();
    expect(c).toEqual({
      n: c.n,
      chunkId: p.chunkId,
      documentId: p.documentId,
      title: p.title,
      sourcePath: p.sourcePath,
      headingPath: p.headingPath,
      page: p.page,
      quote: quoteOf(p),
    });
  }
}

describe('the citation stage', () => {
  it('maps [n], lists and ranges to passages n, and drops and reports numbers with no passage', () => {
    const passages = [passage(1), passage(2), passage(3)];
    const reply = 'A KITAS [2] is a permit [1, 3]. Renewal [2-3] takes weeks [9]; never [0] or [1-9000].';
    expect(parseCitationNumbers(reply)).toEqual([2, 1, 3, 9, 0]);
    const mapped = mapCitations(reply, passages);
    expect(mapped.citations.map((c) => [c.n, c.chunkId, c.sourcePath])).toEqual([
      [1, 101, '/docs/doc-1.md'],
      [2, 102, '/docs/doc-2.md'],
      [3, 103, '/docs/doc-3.md'],
    ]);
    expect(mapped.invalid).toEqual([9, 0]);
    // Brackets that are not citations are ignored.
    expect(mapCitations('see [a], [1.5], [ ] and [2,x]', passages)).toEqual({ citations: [], invalid: [] });
  });

  it('counts only the passages the prompt kept: [3] is invalid when two of three were given', () => {
    const items = [passage(1), passage(2), passage(3)];
    const ctx = { useCache: true } as AskContext;
    const row = { name: 'm' } as ModelInfo;
    const o = ragOutcome(ctx, row, items, 2, {
      text: 'Yes [2]. Also [3] and [9].',
      tokensIn: 10,
      tokensOut: 5,
      status: 'complete',
    });
    expect(o.path).toBe('rag');
    expect(o.citations.map((c) => [c.n, c.chunkId])).toEqual([[2, 102]]);
    expect(o.notice).toBe('the answer cites passages that do not exist: [3] [9]');
    expect(o.passages).toBe(3);
    expect(o.cacheable).toBe(false);

    const clean = ragOutcome(ctx, row, items, 3, {
      text: 'Yes [1][3].',
      tokensIn: 10,
      tokensOut: 5,
      status: 'complete',
    });
    expect(clean.citations.map((c) => c.n)).toEqual([1, 3]);
    expect(clean.notice).toBeUndefined();
    expect(clean.cacheable).toBe(true);
  });
});

describe('citations through the ask flow (scripted model)', () => {
  it('maps the reply’s numbers to the prompt’s passages, drops [9] and reports it, and persists both', async () => {
    const { engine, client, modelName } = await setup();
    const fake = await installFakeChatModel(engine, {
      reply: () => 'A KITAS is a stay permit [1]. A KITAP is permanent [2, 1]. Fees are in [9].',
    });
    const search = await client.call('search', { query: QUESTION, k: 3 });
    expect(search.items).toHaveLength(3);
    const r = await client.call('ask', { question: QUESTION, k: 3 });
    expect(fake.calls).toHaveLength(1);
    expect(r).toMatchObject({ path: 'rag', model: modelName, passages: 3, status: 'complete' });
    expect(r.answer).toBe('A KITAS is a stay permit [1]. A KITAP is permanent [2, 1]. Fees are in [9].');
    expect(r.citations.map((c) => c.n)).toEqual([1, 2]);
    expect(r.notice).toBe('the answer cites passages that do not exist: [9]');

    // The prompt numbered the same passages the search returns, and the citations name them.
    const user = fake.calls[0]!.at(-1)!.content;
    search.items.forEach((p, i) => expect(user).toContain(formatPassage(i + 1, p)));
    expectCitationsOf(r, search.items);

    const [msg] = await engine.db.query<{
      citations: { n: number; chunkId: number }[];
      metadata: { notice?: string };
    }>('SELECT citations, metadata FROM messages WHERE id = $1', [r.messageId]);
    expect(msg!.citations.map((c) => [c.n, c.chunkId])).toEqual(r.citations.map((c) => [c.n, c.chunkId]));
    expect(msg!.metadata.notice).toBe(r.notice);

    // Not kept in the answer cache: a cached repeat would serve "[9]" without the notice.
    const again = await client.call('ask', { question: QUESTION, k: 3 });
    expect(again).toMatchObject({ path: 'rag', notice: r.notice });
    expect(again.citations.map((c) => c.n)).toEqual([1, 2]);
    expect(fake.calls).toHaveLength(2);
  });

  it('a passage dropped to fit the context is not citable: its number is reported, the kept ones map', async () => {
    const { engine, client } = await setup();
    // Context 600 keeps 600 - 150 (answer) = 450 tokens for the prompt: with every passage block
    // "costing" 150 tokens and the rest 20 each (+ 16 of template), two of three fit.
    const fake = await installFakeChatModel(engine, {
      contextSize: 600,
      count: (t) => (/^\[\d+\] /u.test(t) ? 150 : 20),
      reply: () => 'Both are permits [1] [3] [2].',
    });
    const r = await client.call('ask', { question: QUESTION, k: 3 });
    const user = fake.calls[0]!.at(-1)!.content;
    expect(user).toContain('[2] ');
    expect(user).not.toMatch(/^\[3\] /mu);
    expect(r.path).toBe('rag');
    expect(r.passages).toBe(3);
    expect(r.citations.map((c) => c.n)).toEqual([1, 2]);
    expect(r.notice).toBe('the answer cites passages that do not exist: [3]');
    const search = await client.call('search', { query: QUESTION, k: 3 });
    expectCitationsOf(r, search.items.slice(0, 2));
  });
});

describe('citations of the tiny Llama (random text)', () => {
  it('every citation returned refers to a passage given; every other number cited is reported', async () => {
    const { client } = await setup();
    const search = await client.call('search', { query: QUESTION, k: 3 });
    const r = await client.call('ask', { question: QUESTION, k: 3 });
    expect(r.path).toBe('rag');
    expect(r.passages).toBe(3);
    expectCitationsOf(r, search.items);
    const cited = parseCitationNumbers(r.answer);
    expect(r.citations.map((c) => c.n)).toEqual(cited.filter((n) => n >= 1 && n <= 3).sort((a, b) => a - b));
    const invalid = cited.filter((n) => n < 1 || n > 3);
    if (invalid.length) expect(r.notice).toContain(invalid.map((n) => `[${n}]`).join(' '));
    else expect(r.notice ?? '').not.toContain('do not exist');
  });
});
