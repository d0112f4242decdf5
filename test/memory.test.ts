/**
 * The scripted acceptance sequence without a model: conversations about two clients through the
 * real ask flow, the background analysis, then facts, entities, conflicts, client proposals,
 * confirmation, prompt facts, edits, rejection and deletion.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';
import { enrichMemory } from '../core/assistant/memory/analyze.ts';
import { drainMemoryQueue } from '../core/assistant/memory/queue.ts';
import { factsForPrompt } from '../core/assistant/memory/queries.ts';

let engine: Engine;
// One engine for the whole file (the helpers' temp dirs go after each test).
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-memory-'));
let client: ApiClient;
const conv: Record<string, number> = {};

async function say(question: string, conversationId?: number): Promise<number> {
  const r = await client.call('ask', { question, ...(conversationId ? { conversationId } : {}) });
  return r.conversationId;
}

const line = (f: { subject: string; attribute: string; value: string }) =>
  `${f.subject} | ${f.attribute} | ${f.value}`;

beforeAll(async () => {
  engine = await openEngine({ dataDir });
  const dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  // Budi, first conversation: two messages.
  conv.budi = await say(
    'Pak Budi Santoso of PT Maju Jaya needs a KITAS renewal before 12 March 2026, budget Rp 15.000.000.',
  );
  await say('Pak Budi lives in Jakarta. What does PT Maju Jaya need for the sponsor letter?', conv.budi);
  // Sarah, another conversation.
  conv.sarah = await say(
    'Mrs Sarah Miller of Nusantara Trading Pte Ltd wants an E33G remote worker visa. She lives in Canggu.',
  );
  await say("Is USD 1,200 per month enough income for Ibu Sarah Miller's E33G?", conv.sarah);
  // Later: Budi moved.
  conv.later = await say('Update: Pak Budi Santoso has moved to Surabaya.');
  await drainMemoryQueue(engine);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('memory from conversations (deterministic extractors)', () => {
  it('learns the expected facts, with the old address superseded by the new one', async () => {
    const active = await client.call('memory.facts', {});
    expect(active.facts.map(line).sort()).toEqual(
      [
        'Budi Santoso | budget | IDR 15,000,000',
        'Budi Santoso | company | PT Maju Jaya',
        'Budi Santoso | location | Surabaya',
        'Budi Santoso | needs | a KITAS renewal before 12 March 2026',
        'Sarah Miller | company | Nusantara Trading Pte Ltd',
        'Sarah Miller | location | Canggu',
        'Sarah Miller | needs | an E33G remote worker visa',
      ].sort(),
    );
    for (const f of active.facts) {
      expect(f.method).toBe('patterns');
      expect(f.confidence).toBeCloseTo(0.6);
      expect(f.sourceMessageId).not.toBeNull();
    }
    const { conflicts } = await client.call('memory.conflicts', {});
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]!.old).toMatchObject({
      value: 'Jakarta',
      status: 'superseded',
      sourceConversationId: conv.budi,
    });
    expect(conflicts[0]!.current).toMatchObject({
      value: 'Surabaya',
      status: 'active',
      sourceConversationId: conv.later,
    });
    expect(conflicts[0]!.old.supersededBy).toBe(conflicts[0]!.current.id);
  });

  it('records entities of every kind with their mentions', async () => {
    const { entities } = await client.call('memory.entities', {});
    const byKey = new Map(entities.map((e) => [`${e.kind}:${e.normalizedName}`, e]));
    expect([...byKey.keys()].sort()).toEqual(
      [
        'person:budi santoso',
        'company:pt maju jaya',
        'visa:KITAS',
        'date:2026-03-12',
        'amount:IDR 15000000',
        'place:jakarta',
        'person:sarah miller',
        'company:nusantara trading pte ltd',
        'visa:E33G',
        'place:canggu',
        'amount:USD 1200',
        'place:surabaya',
      ].sort(),
    );
    expect(byKey.get('person:budi santoso')).toMatchObject({ mentions: 3, conversations: 2 });
    expect(byKey.get('company:pt maju jaya')).toMatchObject({ mentions: 2, conversations: 1 });
    expect(byKey.get('visa:E33G')).toMatchObject({ mentions: 2 });
    expect(byKey.get('amount:USD 1200')!.attributes).toMatchObject({ currency: 'USD', value: 1200 });
  });

  it('proposes the people and companies mentioned in two or more messages', async () => {
    const { clients } = await client.call('clients.list', { status: 'proposed' });
    expect(clients.map((c) => `${c.kind}:${c.name}:${c.mentions}`).sort()).toEqual([
      'company:PT Maju Jaya:2',
      'person:Budi Santoso:3',
      'person:Sarah Miller:2',
    ]);
  });

  it('analysing again reads nothing new and changes nothing', async () => {
    const before = await client.call('memory.facts', { status: 'all' });
    const r = await client.call('memory.analyze', {});
    expect(r).toMatchObject({ conversations: 0, messages: 0, facts: 0 });
    const again = await client.call('memory.analyze', { conversationId: conv.budi });
    expect(again).toMatchObject({ messages: 0, facts: 0, entities: 0 });
    expect((await client.call('memory.facts', { status: 'all' })).total).toBe(before.total);
  });

  it('confirming a client links its facts; a linked conversation puts them in the prompt, newest first', async () => {
    const budi = await client.call('clients.confirm', { client: 'budi santoso' });
    expect(budi).toMatchObject({ status: 'active', linkedFacts: 5 });
    const facts = await client.call('memory.facts', { client: budi.id });
    expect(facts.total).toBe(4); // the superseded address is linked but not active
    expect(await factsForPrompt(engine.db, conv.sarah!)).toEqual([]); // not linked yet
    await client.call('conversations.link', { conversationId: conv.sarah!, client: budi.id });
    const prompt = await factsForPrompt(engine.db, conv.sarah!);
    expect(prompt[0]).toBe('Budi Santoso — location: Surabaya');
    expect(prompt).toHaveLength(4);
    expect(prompt).not.toContain('Budi Santoso — location: Jakarta');
    await client.call('conversations.link', { conversationId: conv.sarah!, client: null });
  });

  it('a rejected proposal goes away and is not proposed again', async () => {
    const r = await client.call('clients.reject', { client: 'Sarah Miller' });
    expect(r.name).toBe('Sarah Miller');
    await client.call('clients.propose', {});
    const { clients } = await client.call('clients.list', { status: 'all' });
    expect(clients.map((c) => c.name).sort()).toEqual(['Budi Santoso', 'PT Maju Jaya']);
    await expect(client.call('clients.reject', { client: 'Budi Santoso' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('edits, rejections and deletions of facts stick', async () => {
    const { facts } = await client.call('memory.facts', { subject: 'Budi Santoso' });
    const budget = facts.find((f) => f.attribute === 'budget')!;
    const edited = await client.call('memory.updateFact', { id: budget.id, value: 'IDR 20,000,000' });
    expect(edited).toMatchObject({
      method: 'user',
      confidence: 1,
      fact: 'Budi Santoso — budget: IDR 20,000,000',
    });

    // Rejecting the new address brings the old one back; the same sentence again does not re-learn it.
    const surabaya = facts.find((f) => f.attribute === 'location')!;
    await client.call('memory.rejectFact', { id: surabaya.id });
    let current = await client.call('memory.facts', { subject: 'Budi Santoso' });
    expect(current.facts.find((f) => f.attribute === 'location')?.value).toBe('Jakarta');
    await say('Update: Pak Budi Santoso has moved to Surabaya.', conv.later);
    await drainMemoryQueue(engine);
    current = await client.call('memory.facts', { subject: 'Budi Santoso' });
    expect(current.facts.find((f) => f.attribute === 'location')?.value).toBe('Jakarta');

    const needs = facts.find((f) => f.attribute === 'needs')!;
    await client.call('memory.deleteFact', { id: needs.id });
    await expect(client.call('memory.updateFact', { id: needs.id, value: 'x' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(client.call('memory.updateFact', { id: budget.id })).rejects.toMatchObject({
      code: 'invalid_params',
    });
  });

  it('the nightly pass reads conversations not analysed yet; an older message never overrides a newer fact', async () => {
    const [c] = await engine.db.query<{ id: number }>(
      `INSERT INTO conversations (title) VALUES ('imported') RETURNING id`,
    );
    // Written long ago (e.g. an imported chat): Bandung is older than the current Jakarta.
    await engine.db.query(
      `INSERT INTO messages (conversation_id, role, content, created_at)
       VALUES ($1, 'user', 'Pak Budi Santoso lives in Bandung. Ibu Dewi Lestari needs an NPWP.', '2020-01-01T00:00:00Z')`,
      [c!.id],
    );
    const r = await enrichMemory(engine, { since: new Date('2019-12-31T00:00:00Z') });
    expect(r).toMatchObject({ conversations: 1, messages: 1, facts: 2, method: 'patterns' });
    const { facts } = await client.call('memory.facts', { subject: 'Budi Santoso', status: 'all' });
    const bandung = facts.find((f) => f.value === 'Bandung')!;
    const jakarta = facts.find((f) => f.value === 'Jakarta')!;
    expect(bandung).toMatchObject({ status: 'superseded', supersededBy: jakarta.id });
    expect(jakarta.status).toBe('active');
    expect(await enrichMemory(engine, { since: new Date(0) })).toMatchObject({ conversations: 0 });
  });

  it('deleting a client keeps its facts and entities, unlinked', async () => {
    const budi = await client.call('clients.get', { client: 'Budi Santoso' });
    await client.call('clients.delete', { client: budi.id });
    const { facts } = await client.call('memory.facts', { subject: 'Budi Santoso' });
    expect(facts.length).toBeGreaterThan(0);
    expect(facts.every((f) => f.clientId === null)).toBe(true);
    const { entities } = await client.call('memory.entities', { kind: 'person', query: 'budi' });
    expect(entities[0]).toMatchObject({ name: 'Budi Santoso', clientId: null });
  });
});
