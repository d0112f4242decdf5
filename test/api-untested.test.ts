/**
 * API methods that had no test of their own: golden.delete, notes.edit, notes.review,
 * projects.delete and worker.stop, through the dispatcher and its typed client (one engine for
 * the file), each with its effect and `not_found` for an id that does not exist.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrompt } from '../core/assistant/ask/ask.ts';
import { createDispatcher, type Dispatcher } from '../core/api/dispatcher.ts';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';

let engine: Engine;
let dispatcher: Dispatcher;
let client: ApiClient;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-api-untested-'));

beforeAll(async () => {
  engine = await openEngine({ dataDir });
  dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const MISSING = 987_654;
const notFound = { ok: false, error: { code: 'not_found' } };

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [r] = await engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return r!.n;
}

describe('golden.delete', () => {
  it('deletes the answer and its history; it is no longer served, from the index or the answer cache', async () => {
    const question = 'How long is a KITAS valid?';
    const g = await client.call('golden.create', {
      question,
      answer: 'One year, renewable.',
      variations: ['KITAS validity?'],
    });
    await client.call('golden.edit', { id: g.id, answer: 'One year, renewable in Indonesia.' });
    expect(await client.call('golden.history', { id: g.id })).toHaveLength(1);
    const served = await client.call('ask', { question });
    expect(served).toMatchObject({ path: 'golden', golden: { id: g.id } });
    expect((await client.call('ask', { question: 'kitas validity' })).path).toBe('golden');

    expect(await client.call('golden.delete', { id: g.id })).toEqual({ id: g.id });
    expect(await count('golden_answers WHERE id = $1', [g.id])).toBe(0);
    expect(await count('golden_answer_revisions WHERE golden_answer_id = $1', [g.id])).toBe(0);
    // The ask that served it keeps its log, unlinked.
    expect(await count('query_logs WHERE golden_answer_id = $1', [g.id])).toBe(0);
    expect(await count("query_logs WHERE path = 'golden'")).toBe(2);
    expect(await dispatcher.call('golden.get', { id: g.id })).toMatchObject(notFound);
    expect((await client.call('golden.list', {})).items.map((x) => x.id)).not.toContain(g.id);

    for (const q of [question, 'kitas validity']) {
      const r = await client.call('ask', { question: q });
      expect(r.path).not.toBe('golden');
      expect(r.golden).toBeUndefined();
      expect(r.answer).not.toContain('renewable');
    }

    expect(await dispatcher.call('golden.delete', { id: g.id })).toMatchObject(notFound);
    expect(await dispatcher.call('golden.delete', { id: MISSING })).toMatchObject(notFound);
  });
});

describe('notes.edit and notes.review', () => {
  const question = 'How should I address immigration officials politely?';
  const noteLine = (content: string) => (s: string) => s.includes(content);

  it('writes a note by hand (approved, served in prompts), changes only what is given, and refuses bad input', async () => {
    const note = await client.call('notes.edit', {
      topic: 'Addressing immigration officials',
      content: 'Use Bapak or Ibu with officials and greet them politely.',
      whenToUse: 'questions about visiting the immigration office',
    });
    expect(note).toMatchObject({
      topic: 'Addressing immigration officials',
      reviewStatus: 'approved',
      generatedBy: 'user',
      tone: null,
    });
    expect(noteLine(note.content)(await systemPrompt(engine, question))).toBe(true);

    const edited = await client.call('notes.edit', {
      id: note.id,
      content: 'Address officials as Bapak or Ibu; stay polite and patient.',
      tone: 'formal',
    });
    expect(edited).toMatchObject({
      id: note.id,
      topic: note.topic,
      whenToUse: note.whenToUse,
      content: 'Address officials as Bapak or Ibu; stay polite and patient.',
      tone: 'formal',
      reviewStatus: 'approved',
    });
    const [row] = await engine.db.query<{ content: string; tone: string }>(
      'SELECT content, tone FROM cultural_knowledge WHERE id = $1',
      [note.id],
    );
    expect(row).toEqual({ content: edited.content, tone: 'formal' });
    const prompt = await systemPrompt(engine, question);
    expect(prompt).toContain('stay polite and patient');
    expect(prompt).not.toContain('greet them politely');

    expect(await dispatcher.call('notes.edit', { id: MISSING, content: 'x' })).toMatchObject(notFound);
    expect(await dispatcher.call('notes.edit', { topic: 'only a topic' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_params' },
    });
    await client.call('notes.review', { id: note.id, decision: 'reject' });
  });

  it('a drafted note is served only once approved (by review or by edit), and no longer once rejected', async () => {
    const [draft] = await engine.db.query<{ id: number }>(
      `INSERT INTO cultural_knowledge (topic, content, generated_by, review_status)
       VALUES ('Greeting officials', 'Greet immigration officials with Selamat pagi, Bapak.', 'llm:tiny', 'draft')
       RETURNING id`,
    );
    const id = Number(draft!.id);
    const served = async () => (await systemPrompt(engine, question)).includes('Selamat pagi');
    expect(await served()).toBe(false);

    const approved = await client.call('notes.review', { id, decision: 'approve' });
    expect(approved).toMatchObject({ id, reviewStatus: 'approved', generatedBy: 'llm:tiny' });
    expect(await served()).toBe(true);
    const [used] = await engine.db.query<{ usage_count: number; reviewed_at: Date | null }>(
      'SELECT usage_count, reviewed_at FROM cultural_knowledge WHERE id = $1',
      [id],
    );
    expect(used!.usage_count).toBeGreaterThanOrEqual(1);
    expect(used!.reviewed_at).not.toBeNull();

    const rejected = await client.call('notes.review', { id, decision: 'reject' });
    expect(rejected.reviewStatus).toBe('rejected');
    expect(await served()).toBe(false);
    expect((await client.call('notes.list', { status: 'rejected' })).map((n) => n.id)).toContain(id);

    // An edit without approve keeps the status; with approve, it is served again.
    expect((await client.call('notes.edit', { id, tone: 'warm' })).reviewStatus).toBe('rejected');
    expect(await served()).toBe(false);
    expect((await client.call('notes.edit', { id, approve: true })).reviewStatus).toBe('approved');
    expect(await served()).toBe(true);

    expect(await dispatcher.call('notes.review', { id: MISSING, decision: 'approve' })).toMatchObject(
      notFound,
    );
  });
});

describe('projects.delete', () => {
  it('deletes the project; its sessions and conversations stay, unlinked', async () => {
    const c = await client.call('clients.create', { name: 'PT Sinar Abadi', kind: 'company' });
    const p = await client.call('projects.create', { client: c.id, name: 'KITAS renewals' });
    const keep = await client.call('projects.create', { client: c.id, name: 'Company setup' });
    const s = await client.call('sessions.add', {
      projectId: p.id,
      startedAt: '2026-03-02T08:00:00Z',
      endedAt: '2026-03-02T09:00:00Z',
    });
    expect(s.projectId).toBe(p.id);
    const asked = await client.call('ask', { question: 'What does a KITAS renewal need?' });
    await client.call('conversations.link', { conversationId: asked.conversationId, projectId: p.id });
    expect((await client.call('clients.get', { client: c.id })).projects).toBe(2);

    expect(await client.call('projects.delete', { id: p.id })).toEqual({ id: p.id, name: 'KITAS renewals' });
    expect(await count('projects WHERE id = $1', [p.id])).toBe(0);
    expect((await client.call('projects.list', { client: c.id })).projects.map((x) => x.id)).toEqual([
      keep.id,
    ]);
    expect((await client.call('clients.get', { client: c.id })).projects).toBe(1);
    const sessions = await client.call('sessions.list', {});
    expect(sessions.sessions.find((x) => x.id === s.id)).toMatchObject({ projectId: null, clientId: c.id });
    const conv = await client.call('conversations.get', { id: asked.conversationId });
    expect(conv).toMatchObject({ projectId: null, clientId: c.id });
    expect(conv.messages.length).toBe(2);

    expect(await dispatcher.call('projects.delete', { id: p.id })).toMatchObject(notFound);
    expect(await dispatcher.call('projects.delete', { id: MISSING })).toMatchObject(notFound);
    expect(await dispatcher.call('projects.update', { id: p.id, name: 'x' })).toMatchObject(notFound);
  });
});

describe('worker.stop', () => {
  it('reports that nothing was stopped when no run is in progress, and changes nothing', async () => {
    expect(await dispatcher.call('worker.stop', {})).toEqual({ ok: true, result: { stopped: false } });
    expect(await client.call('worker.history', {})).toEqual([]);
    expect((await client.call('worker.status', {})).running).toBeNull();
  });
});
