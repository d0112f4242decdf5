import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AskEvent } from '../core/contract/methods/ask.ts';
import { ask } from '../core/assistant/ask/ask.ts';
import { NO_MODEL_LABEL, NOTHING_FOUND } from '../core/assistant/ask/extractive.ts';
import { questionKey } from '../core/base/normalize.ts';
import type { Engine } from '../core/engine/engine.ts';
import { openTestEngine, type TestEngine } from './support/engine.ts';
import { runCliCaptured } from './support/cli.ts';
import { tempDir } from './support/temp-dir.ts';

const VISA_MD = `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. The sponsor company applies first.
Renewing a KITAS takes about two weeks at the immigration office.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS.
`;

const PAJAK_TXT = `Pajak penghasilan untuk warga negara asing yang tinggal lebih dari 183 hari dihitung sebagai wajib pajak dalam negeri.
NPWP wajib dimiliki sebelum melapor SPT tahunan.`;

function writeDocs(): string {
  const root = tempDir();
  fs.writeFileSync(path.join(root, 'visa.md'), VISA_MD);
  fs.writeFileSync(path.join(root, 'pajak.txt'), PAJAK_TXT);
  return root;
}

async function withDocs(): Promise<TestEngine> {
  const t = await openTestEngine();
  await t.client.call('import.run', { collection: 'Visa', create: true, paths: [writeDocs()] });
  return t;
}

async function logs(engine: Engine) {
  return engine.db.query<{
    path: string;
    question: string;
    normalized_question: string;
    query_hash: string;
    latency_ms: Record<string, number>;
    total_ms: number;
    conversation_id: number;
    message_id: number;
    golden_answer_id: number | null;
    top_score: number | null;
    collection_ids: number[] | null;
    model: string | null;
  }>('SELECT * FROM query_logs ORDER BY id');
}

describe('ask without a model', () => {
  it('answers extractively: labelled, cited, persisted and logged; a repeat comes from the cache', async () => {
    const { engine, client } = await withDocs();
    const events: AskEvent[] = [];
    const r = await client.call(
      'ask',
      { question: 'How long does renewing a KITAS take?' },
      { onEvent: (e) => events.push(e) },
    );
    expect(r.path).toBe('extractive');
    expect(r.status).toBe('complete');
    expect(r.model).toBeNull();
    expect(r.answer.startsWith(NO_MODEL_LABEL)).toBe(true);
    expect(r.answer).toMatch(/Renewing a KITAS takes about two weeks at the immigration office\. \[\d\]/);
    expect(r.citations.length).toBeGreaterThan(0);
    const c = r.citations[0]!;
    expect(c.title).toBe('Visa guide');
    expect(c.sourcePath).toMatch(/visa\.md$/);
    expect(c.headingPath).toContain('KITAS');
    expect(c.chunkId).toBeGreaterThan(0);
    expect(events).toContainEqual({ type: 'retrieved', passages: r.passages });
    expect(events.some((e) => e.type === 'token')).toBe(false);

    const conv = await client.call('conversations.get', { id: r.conversationId });
    expect(conv.title).toBe('How long does renewing a KITAS take?');
    expect(conv.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(conv.messages[1]).toMatchObject({
      id: r.messageId,
      path: 'extractive',
      content: r.answer,
      citations: r.citations,
      status: 'complete',
    });

    const [log] = await logs(engine);
    expect(log).toMatchObject({
      path: 'extractive',
      question: 'How long does renewing a KITAS take?',
      normalized_question: 'how long does renewing a kitas take',
      query_hash: questionKey('How long does renewing a KITAS take?').hash,
      collection_ids: null,
      model: null,
    });
    expect(Number(log!.conversation_id)).toBe(r.conversationId);
    expect(Number(log!.message_id)).toBe(r.messageId);
    expect(log!.top_score).toBeGreaterThan(0);
    expect(Object.keys(log!.latency_ms)).toEqual(
      expect.arrayContaining(['cacheMs', 'goldenMs', 'retrieveMs', 'promptMs', 'generateMs', 'firstTokenMs']),
    );

    // Same question, other case and punctuation: the answer cache.
    const again = await ask(engine, { question: 'how long does renewing a kitas take' });
    expect(again.path).toBe('cache');
    expect(again.answer).toBe(r.answer);
    expect(again.citations).toEqual(r.citations);
    expect(again.conversationId).not.toBe(r.conversationId);
    // Scoped to a collection: another cache entry.
    const scoped = await ask(engine, {
      question: 'How long does renewing a KITAS take?',
      collections: ['visa'],
    });
    expect(scoped.path).toBe('extractive');
    const all = await logs(engine);
    expect(all.map((l) => l.path)).toEqual(['extractive', 'cache', 'extractive']);
    expect(all[2]!.collection_ids!.map(Number)).toHaveLength(1);

    // Nothing relevant: said plainly.
    const none = await ask(engine, { question: 'zebra unicorn rainbow' });
    expect(none).toMatchObject({ path: 'extractive', answer: NOTHING_FOUND, citations: [] });
  });

  it('serves an approved golden answer for the same normalised question and counts its use', async () => {
    const { engine } = await withDocs();
    const { hash } = questionKey('Apa itu NPWP?');
    const [g] = await engine.db.query<{ id: number }>(
      `INSERT INTO golden_answers (query_hash, canonical_question, answer, sources, generated_by, review_status)
       VALUES ($1, 'Apa itu NPWP?', 'NPWP adalah nomor pokok wajib pajak [1].', $2::jsonb, 'user', 'approved')
       RETURNING id`,
      [
        hash,
        JSON.stringify([
          { n: 1, document_id: 5, chunk_id: 9, title: 'Pajak', source_path: '/p.txt', page: 2 },
        ]),
      ],
    );
    await engine.db.query(
      `INSERT INTO golden_answers (query_hash, canonical_question, answer, generated_by)
       VALUES ($1, 'draft', 'not served', 'user')`,
      [questionKey('Apa itu SPT?').hash],
    );
    const r = await ask(engine, { question: '  apa itu npwp ' });
    expect(r.path).toBe('golden');
    expect(r.answer).toBe('NPWP adalah nomor pokok wajib pajak [1].');
    expect(r.citations).toEqual([
      {
        n: 1,
        chunkId: 9,
        documentId: 5,
        title: 'Pajak',
        sourcePath: '/p.txt',
        headingPath: [],
        page: 2,
        quote: '',
      },
    ]);
    await ask(engine, { question: 'APA ITU NPWP?' });
    const [row] = await engine.db.query<{ usage_count: number; last_used_at: Date | null }>(
      'SELECT usage_count, last_used_at FROM golden_answers WHERE id = $1',
      [g!.id],
    );
    expect(row!.usage_count).toBe(2);
    expect(row!.last_used_at).toBeInstanceOf(Date);
    const l = await logs(engine);
    expect(l.map((x) => x.path)).toEqual(['golden', 'golden']);
    expect(Number(l[0]!.golden_answer_id)).toBe(Number(g!.id));
    // A draft is not served.
    expect((await ask(engine, { question: 'Apa itu SPT?' })).path).toBe('extractive');
  });

  it('continues, lists, renames, searches and deletes conversations', async () => {
    const { engine, client } = await withDocs();
    const first = await client.call('ask', { question: 'What is a KITAP?' });
    const second = await client.call('ask', {
      question: 'What is a KITAP?',
      conversationId: first.conversationId,
    });
    // With history the cache is skipped.
    expect(second.path).toBe('extractive');
    expect(second.conversationId).toBe(first.conversationId);
    const other = await client.call('ask', { question: 'NPWP wajib?' });

    const list = await client.call('conversations.list', {});
    expect(list.total).toBe(2);
    expect(list.conversations.map((c) => [c.id, c.messageCount])).toEqual([
      [other.conversationId, 2],
      [first.conversationId, 4],
    ]);
    expect(list.conversations[0]).toMatchObject({ title: 'NPWP wajib?', clientId: null, projectId: null });

    const renamed = await client.call('conversations.rename', {
      id: first.conversationId,
      title: ' Permits ',
    });
    expect(renamed.title).toBe('Permits');

    const found = await client.call('conversations.search', { query: 'permanent KITAP' });
    expect(found.hits.length).toBeGreaterThan(0);
    expect(found.hits.every((h) => h.conversationId === first.conversationId)).toBe(true);
    expect(found.hits[0]!.snippet).toContain('«');

    const del = await client.call('conversations.delete', { id: first.conversationId });
    expect(del).toEqual({ id: first.conversationId, title: 'Permits', messages: 4 });
    await expect(client.call('conversations.get', { id: first.conversationId })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      client.call('ask', { question: 'x', conversationId: first.conversationId }),
    ).rejects.toMatchObject({ code: 'not_found' });
    // Query logs survive, unlinked.
    const l = await logs(engine);
    expect(l).toHaveLength(3);
    expect(l.filter((x) => x.conversation_id === null)).toHaveLength(2);
  });
});

describe('pustaka ask / conversations (CLI)', () => {
  const cli = runCliCaptured;

  it('prints the answer, sources and badge; --json prints the documented shape only', async () => {
    const root = tempDir();
    const d = ['--data-dir', path.join(root, 'data')];
    expect((await cli([...d, 'import', writeDocs(), '-c', 'Visa'])).code).toBe(0);

    const human = await cli([...d, 'ask', 'What is a KITAP?', '-c', 'Visa', '-k', '3']);
    expect(human.code).toBe(0);
    expect(human.stdout.startsWith(NO_MODEL_LABEL)).toBe(true);
    expect(human.stderr).toMatch(/\n\[1\] Visa guide › KITAP — \/.*visa\.md\n/);
    expect(human.stderr).toMatch(/\nextractive · [\d.]+ ms .*conversation 1\n$/);

    const json = await cli([...d, 'ask', 'What is a KITAP?', '--json']);
    expect(json.code).toBe(0);
    const out = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual([
      'answer',
      'citations',
      'conversationId',
      'path',
      'timings',
      'tokens',
    ]);
    expect(out).toMatchObject({ path: 'extractive', conversationId: 2, tokens: { in: 0, out: 0 } });

    const list = await cli([...d, 'conversations', 'list']);
    expect(list.stdout).toContain('What is a KITAP?');
    expect(list.stdout).toContain('2 conversations');
    const show = await cli([...d, 'conversations', 'show', '1']);
    expect(show.stdout).toContain('assistant (extractive):');
    expect(show.stdout).toMatch(/ {2}\[1\] Visa guide › KITAP/);
    expect((await cli([...d, 'conversations', 'rename', '1', 'Permits'])).stdout).toContain('"Permits"');
    expect((await cli([...d, 'conversations', 'search', 'permanent'])).stdout).toContain('#');
    const refused = await cli([...d, 'conversations', 'delete', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes');
    expect((await cli([...d, 'conversations', 'delete', '1', '--yes'])).stdout).toContain(
      'Deleted conversation 1',
    );
  });
});
