/**
 * A memory conflict (a newer value replaced an older one, by recency) resolved the other way: the
 * consultant keeps the OLDER value. Afterwards the older value is what memory serves (memory.facts,
 * the facts put in the prompt) and the newer one stays out, also when it is said again.
 */
import { describe, expect, it } from 'vitest';
import { systemPrompt } from '../core/assistant/ask/ask.ts';
import { factsForPrompt } from '../core/assistant/memory/queries.ts';
import { drainMemoryQueue } from '../core/assistant/memory/queue.ts';
import type { FactInfo } from '../core/contract/methods/memory.ts';
import { openTestEngine } from './support/engine.ts';

const JAKARTA = 'Budi Santoso — location: Jakarta';
const SURABAYA = 'Budi Santoso — location: Surabaya';

/** Budi lives in Jakarta, then moved to Surabaya; he is a confirmed client with a linked conversation. */
async function conflict() {
  const t = await openTestEngine();
  const { engine, client } = t;
  const say = async (question: string) => (await client.call('ask', { question })).conversationId;
  const first = await say('Pak Budi Santoso lives in Jakarta.');
  await drainMemoryQueue(engine);
  const later = await say('Update: Pak Budi Santoso has moved to Surabaya.');
  await drainMemoryQueue(engine);
  await client.call('clients.propose', {});
  const budi = await client.call('clients.confirm', { client: 'Budi Santoso' });
  const linked = await say('What does Pak Budi need next?');
  await drainMemoryQueue(engine);
  await client.call('conversations.link', { conversationId: linked, client: budi.id });

  const { conflicts } = await client.call('memory.conflicts', {});
  expect(conflicts).toHaveLength(1);
  const { old, current } = conflicts[0]!;
  expect(old).toMatchObject({ value: 'Jakarta', status: 'superseded', sourceConversationId: first });
  expect(current).toMatchObject({ value: 'Surabaya', status: 'active', sourceConversationId: later });
  expect(old.supersededBy).toBe(current.id);
  // By recency, the newer value is served.
  expect(await factsForPrompt(engine.db, linked)).toContain(SURABAYA);
  return { ...t, older: old, newer: current, linked, say };
}

const locations = (facts: FactInfo[]) => facts.filter((f) => f.attribute === 'location').map((f) => f.value);

describe('keeping the older value of a memory conflict', () => {
  it('restoring the older fact (memory.updateFact status active) supersedes the newer one', async () => {
    const { engine, client, older, newer, linked } = await conflict();
    const kept = await client.call('memory.updateFact', { id: older.id, status: 'active' });
    expect(kept).toMatchObject({
      id: older.id,
      value: 'Jakarta',
      status: 'active',
      supersededBy: null,
      method: 'user',
      confidence: 1,
    });

    const active = await client.call('memory.facts', { subject: 'Budi Santoso' });
    expect(locations(active.facts)).toEqual(['Jakarta']);
    const all = await client.call('memory.facts', { subject: 'Budi Santoso', status: 'all' });
    expect(all.facts.find((f) => f.id === newer.id)).toMatchObject({
      value: 'Surabaya',
      status: 'superseded',
      supersededBy: older.id,
    });
    // The conflict now reads the other way round.
    const { conflicts } = await client.call('memory.conflicts', {});
    expect(conflicts.map((c) => [c.old.value, c.current.value])).toEqual([['Surabaya', 'Jakarta']]);

    // What the assistant is told about the client.
    const prompt = await factsForPrompt(engine.db, linked);
    expect(prompt).toContain(JAKARTA);
    expect(prompt).not.toContain(SURABAYA);
    const system = await systemPrompt(engine, 'Where does Budi live?', linked);
    expect(system).toContain(JAKARTA);
    expect(system).not.toContain(SURABAYA);
  });

  it('rejecting the newer fact brings the older one back, and saying the newer value again does not re-learn it', async () => {
    const { engine, client, older, newer, linked, say } = await conflict();
    const rejected = await client.call('memory.rejectFact', { id: newer.id });
    expect(rejected).toMatchObject({ id: newer.id, value: 'Surabaya', status: 'rejected' });

    const all = await client.call('memory.facts', { subject: 'Budi Santoso', status: 'all' });
    expect(all.facts.find((f) => f.id === older.id)).toMatchObject({
      value: 'Jakarta',
      status: 'active',
      supersededBy: null,
    });
    expect(locations((await client.call('memory.facts', { subject: 'Budi Santoso' })).facts)).toEqual([
      'Jakarta',
    ]);
    expect(locations((await client.call('memory.facts', { status: 'rejected' })).facts)).toEqual([
      'Surabaya',
    ]);
    expect((await client.call('memory.conflicts', {})).total).toBe(0);
    expect(await factsForPrompt(engine.db, linked)).toContain(JAKARTA);

    await say('Pak Budi Santoso has moved to Surabaya, as I said.');
    await drainMemoryQueue(engine);
    expect(locations((await client.call('memory.facts', { subject: 'Budi Santoso' })).facts)).toEqual([
      'Jakarta',
    ]);
    const prompt = await factsForPrompt(engine.db, linked);
    expect(prompt).toContain(JAKARTA);
    expect(prompt).not.toContain(SURABAYA);
    expect(
      (await client.call('memory.facts', { subject: 'Budi Santoso', status: 'all' })).facts,
    ).toHaveLength(all.facts.length);
  });
});
