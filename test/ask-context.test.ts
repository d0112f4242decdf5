import { describe, expect, it } from 'vitest';
import { systemPrompt } from '../core/assistant/ask/ask.ts';
import { SYSTEM_PROMPT } from '../core/assistant/ask/prompt.ts';
import { openTestEngine } from './support/engine.ts';

describe('the ask prompt carries approved context notes and the client’s facts', () => {
  it('adds matching approved notes and the linked client’s active facts, nothing else', async () => {
    const { engine } = await openTestEngine();
    const db = engine.db;
    await db.query(
      `INSERT INTO cultural_knowledge (topic, content, when_to_use, tone, review_status) VALUES
         ('Immigration office etiquette', 'Address officers as Bapak or Ibu.', 'visits to the immigration office', 'respectful', 'approved'),
         ('Ramadan hours', 'Offices close early during Ramadan.', 'office hours', 'neutral', 'draft'),
         ('Tax office', 'Bring the NPWP card.', 'tax questions', 'formal', 'approved')`,
    );
    const [client] = await db.query<{ id: number }>(
      `INSERT INTO clients (name) VALUES ('Budi Santoso') RETURNING id`,
    );
    const [conv] = await db.query<{ id: number }>(
      `INSERT INTO conversations (title, client_id) VALUES ('x', $1) RETURNING id`,
      [client!.id],
    );
    const [other] = await db.query<{ id: number }>(
      `INSERT INTO conversations (title) VALUES ('y') RETURNING id`,
    );
    await db.query(
      `INSERT INTO memory_facts (subject, fact, client_id, status) VALUES
         ('Budi Santoso', 'Budi Santoso — location: Surabaya', $1, 'active'),
         ('Budi Santoso', 'Budi Santoso — location: Jakarta', $1, 'superseded')`,
      [client!.id],
    );

    const linked = await systemPrompt(
      engine,
      'What should I know before visiting the immigration office?',
      Number(conv!.id),
    );
    expect(linked.startsWith(SYSTEM_PROMPT)).toBe(true);
    expect(linked).toContain(
      'Context note — Immigration office etiquette: Address officers as Bapak or Ibu. (use when: visits to the immigration office; tone: respectful)',
    );
    expect(linked).not.toContain('Ramadan'); // a draft is not used
    expect(linked).not.toContain('NPWP'); // does not match the question
    expect(linked).toContain('- Budi Santoso — location: Surabaya');
    expect(linked).not.toContain('Jakarta'); // superseded

    const unlinked = await systemPrompt(engine, 'What is the weather?', Number(other!.id));
    expect(unlinked).toBe(SYSTEM_PROMPT);
    const [{ usage_count }] = (await db.query<{ usage_count: number }>(
      `SELECT usage_count FROM cultural_knowledge WHERE topic = 'Immigration office etiquette'`,
    )) as [{ usage_count: number }];
    expect(usage_count).toBe(1);
  });
});
