/** Reading and correcting memory: facts (list, edit, reject, delete, conflicts), entities, prompt facts. */
import type { EntityInfo, FactInfo } from '../../contract/methods/memory.ts';
import { resolveClientId } from '../../business/clients.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';
import { factText, MULTI_VALUED_ATTRIBUTES } from './types.ts';

type Id = number | bigint;

interface FactRow {
  id: Id;
  subject: string;
  attribute: string;
  value: string;
  fact: string;
  status: FactInfo['status'];
  confidence: number;
  method: string;
  entity_id: Id | null;
  client_id: Id | null;
  source_message_id: Id | null;
  source_conversation_id: Id | null;
  superseded_by: Id | null;
  first_seen_at: Date;
  last_seen_at: Date;
}

const FACT_COLUMNS = `f.id, f.subject, f.attribute, f.value, f.fact, f.status, f.confidence, f.method, f.entity_id,
  f.client_id, f.source_message_id, f.source_conversation_id, f.superseded_by, f.first_seen_at, f.last_seen_at`;
const num = (v: Id | null) => (v === null ? null : Number(v));

function toFact(r: FactRow): FactInfo {
  return {
    id: Number(r.id),
    subject: r.subject,
    attribute: r.attribute,
    value: r.value,
    fact: r.fact,
    status: r.status,
    confidence: Math.round(Number(r.confidence) * 100) / 100,
    method: r.method,
    entityId: num(r.entity_id),
    clientId: num(r.client_id),
    sourceMessageId: num(r.source_message_id),
    sourceConversationId: num(r.source_conversation_id),
    supersededBy: num(r.superseded_by),
    firstSeenAt: r.first_seen_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
  };
}

export async function getFact(db: Queryable, id: number): Promise<FactInfo> {
  const [row] = await db.query<FactRow>(`SELECT ${FACT_COLUMNS} FROM memory_facts f WHERE f.id = $1`, [id]);
  if (!row) throw new PustakaError('not_found', `no fact with id ${id}`, { id });
  return toFact(row);
}

export async function listFacts(
  db: Queryable,
  opts: {
    client?: number | string;
    subject?: string;
    status: FactInfo['status'] | 'all';
    query?: string;
    conversationId?: number;
    limit: number;
    offset: number;
  },
): Promise<{ facts: FactInfo[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    where.push(sql(params.length));
  };
  if (opts.status !== 'all') add((n) => `f.status = $${n}`, opts.status);
  if (opts.client !== undefined) add((n) => `f.client_id = $${n}`, await resolveClientId(db, opts.client));
  if (opts.subject) add((n) => `lower(f.subject) = lower($${n})`, opts.subject);
  if (opts.query)
    add((n) => `f.search @@ plainto_tsquery('simple', $${n})`, opts.query.replace(/[/\\]+/gu, ' '));
  if (opts.conversationId !== undefined) add((n) => `f.source_conversation_id = $${n}`, opts.conversationId);
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await db.query<{ n: Id }>(`SELECT count(*) AS n FROM memory_facts f ${clause}`, params);
  const rows = await db.query<FactRow>(
    `SELECT ${FACT_COLUMNS} FROM memory_facts f ${clause}
      ORDER BY f.last_seen_at DESC, f.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit, opts.offset],
  );
  return { facts: rows.map(toFact), total: Number(count?.n ?? 0) };
}

/**
 * A user's correction: the fact becomes theirs (method 'user', confidence 1, seen now) and, for a
 * single-valued attribute, supersedes the other active values of the same subject.
 */
export async function updateFact(
  db: Queryable,
  p: { id: number; subject?: string; attribute?: string; value?: string; status?: 'active' },
): Promise<FactInfo> {
  const f = await getFact(db, p.id);
  const subject = p.subject ?? f.subject;
  const attribute = (p.attribute ?? f.attribute).toLowerCase();
  const value = p.value ?? f.value;
  await db.query(
    `UPDATE memory_facts SET subject = $2, attribute = $3, value = $4, fact = $5, method = 'user', confidence = 1,
            status = 'active', superseded_by = NULL, last_seen_at = greatest(last_seen_at, now())
      WHERE id = $1`,
    [p.id, subject, attribute, value, factText(subject, attribute, value)],
  );
  if (!MULTI_VALUED_ATTRIBUTES.has(attribute)) {
    await db.query(
      `UPDATE memory_facts SET status = 'superseded', superseded_by = $1
        WHERE id <> $1 AND status = 'active' AND lower(subject) = lower($2) AND attribute = $3`,
      [p.id, subject, attribute],
    );
  }
  return getFact(db, p.id);
}

export async function rejectFact(db: Queryable, id: number): Promise<FactInfo> {
  await getFact(db, id);
  await db.query(`UPDATE memory_facts SET status = 'rejected' WHERE id = $1`, [id]);
  // The value it replaced is current again, unless something newer replaced that too.
  await db.query(
    `UPDATE memory_facts SET status = 'active', superseded_by = NULL
      WHERE superseded_by = $1 AND status = 'superseded'`,
    [id],
  );
  return getFact(db, id);
}

export async function deleteFact(db: Queryable, id: number): Promise<{ id: number; fact: string }> {
  const f = await getFact(db, id);
  // Facts it had superseded come back (the FK would only null their pointer).
  await db.query(
    `UPDATE memory_facts SET status = 'active', superseded_by = NULL WHERE superseded_by = $1 AND status = 'superseded'`,
    [id],
  );
  await db.query('DELETE FROM memory_facts WHERE id = $1', [id]);
  return { id, fact: f.fact };
}

export async function listConflicts(
  db: Queryable,
  opts: { client?: number | string; limit: number; offset: number },
): Promise<{ conflicts: { old: FactInfo; current: FactInfo }[]; total: number }> {
  const params: unknown[] = [];
  let clause = '';
  if (opts.client !== undefined) {
    params.push(await resolveClientId(db, opts.client));
    clause = `AND (f.client_id = $1 OR n.client_id = $1)`;
  }
  const from = `FROM memory_facts f JOIN memory_facts n ON n.id = f.superseded_by WHERE f.status = 'superseded' ${clause}`;
  const [count] = await db.query<{ n: Id }>(`SELECT count(*) AS n ${from}`, params);
  const rows = await db.query<{ old_id: Id; new_id: Id }>(
    `SELECT f.id AS old_id, n.id AS new_id ${from} ORDER BY n.last_seen_at DESC, f.id DESC
     LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit, opts.offset],
  );
  const conflicts = [];
  for (const r of rows) {
    conflicts.push({
      old: await getFact(db, Number(r.old_id)),
      current: await getFact(db, Number(r.new_id)),
    });
  }
  return { conflicts, total: Number(count?.n ?? 0) };
}

export async function listEntities(
  db: Queryable,
  opts: {
    kind?: EntityInfo['kind'];
    client?: number | string;
    query?: string;
    limit: number;
    offset: number;
  },
): Promise<{ entities: EntityInfo[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.kind) {
    params.push(opts.kind);
    where.push(`e.kind = $${params.length}`);
  }
  if (opts.client !== undefined) {
    params.push(await resolveClientId(db, opts.client));
    where.push(`e.client_id = $${params.length}`);
  }
  if (opts.query) {
    params.push(`%${opts.query.toLowerCase()}%`);
    where.push(`(e.normalized_name LIKE $${params.length} OR lower(e.name) LIKE $${params.length})`);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await db.query<{ n: Id }>(`SELECT count(*) AS n FROM memory_entities e ${clause}`, params);
  const rows = await db.query<{
    id: Id;
    kind: EntityInfo['kind'];
    name: string;
    normalized_name: string;
    client_id: Id | null;
    mention_count: Id;
    conversations: Id;
    attributes: Record<string, unknown>;
    first_seen_at: Date;
    last_seen_at: Date;
  }>(
    // Counted from the mentions themselves: a deleted conversation takes its mentions along.
    `SELECT e.id, e.kind, e.name, e.normalized_name, e.client_id, e.attributes, e.first_seen_at, e.last_seen_at,
            count(m.message_id) AS mention_count, count(DISTINCT m.conversation_id) AS conversations
       FROM memory_entities e LEFT JOIN memory_entity_mentions m ON m.entity_id = e.id
       ${clause}
      GROUP BY e.id
      ORDER BY count(m.message_id) DESC, e.last_seen_at DESC, e.id
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit, opts.offset],
  );
  return {
    entities: rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      name: r.name,
      normalizedName: r.normalized_name,
      clientId: num(r.client_id),
      mentions: Number(r.mention_count),
      conversations: Number(r.conversations),
      attributes: r.attributes,
      firstSeenAt: r.first_seen_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
    })),
    total: Number(count?.n ?? 0),
  };
}

export const PROMPT_FACTS = 8;

/**
 * Active facts about the conversation's linked client, newest first, one short line each
 * ("Budi Santoso — location: Surabaya"), at most PROMPT_FACTS; [] when no client is linked.
 */
export async function factsForPrompt(db: Queryable, conversationId: number): Promise<string[]> {
  const rows = await db.query<{ fact: string }>(
    `SELECT f.fact FROM conversations c
       JOIN memory_facts f ON f.status = 'active'
        AND (f.client_id = c.client_id
             OR f.entity_id IN (SELECT e.id FROM memory_entities e WHERE e.client_id = c.client_id))
      WHERE c.id = $1 AND c.client_id IS NOT NULL
      GROUP BY f.id, f.fact, f.last_seen_at, f.confidence
      ORDER BY f.last_seen_at DESC, f.confidence DESC, f.id DESC
      LIMIT $2`,
    [conversationId, PROMPT_FACTS],
  );
  return rows.map((r) => (r.fact.length > 200 ? `${r.fact.slice(0, 199)}…` : r.fact));
}
