/**
 * Writes what the extractors found: entities (deduplicated by kind + normalized name), their
 * mentions per message (idempotent), and facts with conflict resolution by recency.
 */
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { KnownEntity } from './entities.ts';
import { normalizeName } from './entities.ts';
import { MULTI_VALUED_ATTRIBUTES, type Extraction } from './types.ts';

type Id = number | bigint;

export interface SaveInput {
  conversationId: number;
  messageId: number;
  /** When the message was written: facts and entities are "seen" then, not at analysis time. */
  at: Date;
  extraction: Extraction;
}

export interface SaveCounts {
  /** Entities first seen in this message. */
  entities: number;
  /** New facts (a repeated fact only refreshes its last-seen time). */
  facts: number;
  /** Older facts superseded by a new value. */
  superseded: number;
}

/** People and companies already known (entities and clients), for recognising names without a cue. */
export async function knownEntities(db: Queryable): Promise<KnownEntity[]> {
  const rows = await db.query<{ kind: 'person' | 'company'; name: string }>(
    `(SELECT kind, name FROM memory_entities WHERE kind IN ('person', 'company')
       ORDER BY last_seen_at DESC LIMIT 2000)
     UNION
     (SELECT kind, name FROM clients WHERE status <> 'archived' LIMIT 2000)`,
  );
  return rows;
}

export async function saveExtraction(tx: Queryable, input: SaveInput): Promise<SaveCounts> {
  const counts: SaveCounts = { entities: 0, facts: 0, superseded: 0 };
  const entityIds = new Map<string, { id: Id; clientId: Id | null }>();
  const seen = new Set<string>();
  for (const e of input.extraction.entities) {
    const key = `${e.kind}\u0000${e.normalized}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const [row] = await tx.query<{ id: Id; client_id: Id | null; inserted: boolean }>(
      `INSERT INTO memory_entities (kind, name, normalized_name, attributes, first_seen_at, last_seen_at, mention_count)
       VALUES ($1, $2, $3, $4::jsonb, $5, $5, 0)
       ON CONFLICT (kind, normalized_name) DO UPDATE
         SET first_seen_at = LEAST(memory_entities.first_seen_at, EXCLUDED.first_seen_at),
             last_seen_at  = GREATEST(memory_entities.last_seen_at, EXCLUDED.last_seen_at),
             attributes    = EXCLUDED.attributes || memory_entities.attributes
       RETURNING id, client_id, (xmax = 0) AS inserted`,
      [e.kind, e.name, e.normalized, JSON.stringify(e.attributes ?? {}), input.at],
    );
    const mention = await tx.query(
      `INSERT INTO memory_entity_mentions (entity_id, message_id, conversation_id, surface)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING entity_id`,
      [row!.id, input.messageId, input.conversationId, e.surface.slice(0, 200)],
    );
    if (mention.length) {
      await tx.query('UPDATE memory_entities SET mention_count = mention_count + 1 WHERE id = $1', [row!.id]);
    }
    if (row!.inserted) counts.entities++;
    if (e.kind === 'person' || e.kind === 'company') {
      entityIds.set(normalizeName(e.name), { id: row!.id, clientId: row!.client_id });
    }
  }

  for (const f of input.extraction.facts) {
    let subjectEntity = entityIds.get(normalizeName(f.subject));
    if (!subjectEntity) {
      const [row] = await tx.query<{ id: Id; client_id: Id | null }>(
        `SELECT id, client_id FROM memory_entities
          WHERE kind IN ('person', 'company') AND normalized_name = $1 ORDER BY kind DESC LIMIT 1`,
        [normalizeName(f.subject)],
      );
      if (row) subjectEntity = { id: row.id, clientId: row.client_id };
    }
    // Facts join a client only once the user confirmed it.
    let clientId: Id | null = null;
    if (subjectEntity?.clientId != null) {
      const [c] = await tx.query<{ status: string }>('SELECT status FROM clients WHERE id = $1', [
        subjectEntity.clientId,
      ]);
      if (c?.status === 'active') clientId = subjectEntity.clientId;
    }
    const same = await tx.query<{ id: Id; value: string; status: string; last_seen_at: Date }>(
      `SELECT id, value, status, last_seen_at FROM memory_facts
        WHERE lower(subject) = lower($1) AND attribute = $2 AND status IN ('active', 'rejected')
        ORDER BY last_seen_at DESC, id DESC`,
      [f.subject, f.attribute],
    );
    const sameValue = same.find((r) => r.value.toLowerCase() === f.value.toLowerCase());
    if (sameValue) {
      // Known (or rejected by the user, who must not see it come back): refresh, never duplicate.
      if (sameValue.status === 'active') {
        await tx.query(
          `UPDATE memory_facts SET last_seen_at = GREATEST(last_seen_at, $2),
                  first_seen_at = LEAST(first_seen_at, $2), confidence = GREATEST(confidence, $3)
            WHERE id = $1`,
          [sameValue.id, input.at, f.confidence],
        );
      }
      continue;
    }
    const conflicting = MULTI_VALUED_ATTRIBUTES.has(f.attribute)
      ? []
      : same.filter((r) => r.status === 'active');
    const newer = conflicting.find((r) => r.last_seen_at > input.at);
    const [inserted] = await tx.query<{ id: Id }>(
      `INSERT INTO memory_facts (subject, attribute, value, fact, entity_id, client_id, source_message_id,
                                 source_conversation_id, confidence, status, superseded_by, method,
                                 first_seen_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
      [
        f.subject,
        f.attribute,
        f.value,
        f.fact,
        subjectEntity?.id ?? null,
        clientId,
        input.messageId,
        input.conversationId,
        f.confidence,
        newer ? 'superseded' : 'active',
        newer?.id ?? null,
        f.method ?? 'patterns',
        input.at,
      ],
    );
    counts.facts++;
    if (!newer && conflicting.length) {
      await tx.query(
        `UPDATE memory_facts SET status = 'superseded', superseded_by = $1
          WHERE id = ANY($2::bigint[])`,
        [inserted!.id, conflicting.map((r) => r.id)],
      );
      counts.superseded += conflicting.length;
    }
  }
  return counts;
}
