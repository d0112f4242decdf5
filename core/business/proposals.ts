/**
 * Client proposals: a person or company mentioned in two or more of the consultant's messages
 * becomes a 'proposed' client (the user confirms or rejects it). An entity whose name is already
 * a client's is linked to that client instead.
 */
import type { Queryable } from '../stores/pg/pg-store.ts';
import { linkClientFacts } from './clients.ts';

type Id = number | bigint;

export const PROPOSAL_MIN_MESSAGES = 2;

export async function proposeClients(db: Queryable): Promise<{ proposed: number; linked: number }> {
  // Names already clients: link.
  const linkedRows = await db.query<{ client_id: Id }>(
    `UPDATE memory_entities e SET client_id = c.id
       FROM clients c
      WHERE e.client_id IS NULL AND e.kind IN ('person', 'company')
        AND e.normalized_name = lower(regexp_replace(btrim(c.name), '\\s+', ' ', 'g'))
      RETURNING c.id AS client_id`,
  );
  for (const id of new Set(linkedRows.map((r) => Number(r.client_id)))) await linkClientFacts(db, id);

  const candidates = await db.query<{ id: Id; kind: 'person' | 'company'; name: string; messages: Id }>(
    `SELECT e.id, e.kind, e.name, count(DISTINCT m.message_id) AS messages
       FROM memory_entities e JOIN memory_entity_mentions m ON m.entity_id = e.id
      WHERE e.client_id IS NULL AND e.kind IN ('person', 'company')
        AND coalesce(e.attributes->>'proposal', '') <> 'rejected'
      GROUP BY e.id HAVING count(DISTINCT m.message_id) >= $1
      ORDER BY e.id`,
    [PROPOSAL_MIN_MESSAGES],
  );
  let proposed = 0;
  for (const c of candidates) {
    const [client] = await db.query<{ id: Id }>(
      `INSERT INTO clients (name, kind, status, metadata) VALUES ($1, $2, 'proposed', $3::jsonb) RETURNING id`,
      [c.name, c.kind, JSON.stringify({ proposedFromEntity: Number(c.id), messages: Number(c.messages) })],
    );
    await db.query('UPDATE memory_entities SET client_id = $1 WHERE id = $2', [client!.id, c.id]);
    proposed++;
  }
  return { proposed, linked: linkedRows.length };
}
