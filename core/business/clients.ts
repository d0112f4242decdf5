/** Clients (table clients, migrations/0001): the consultant's people and companies. */
import type { ClientInfo } from '../contract/methods/crm.ts';
import type { Queryable } from '../stores/pg/pg-store.ts';
import { PustakaError } from '../base/errors.ts';

type Id = number | bigint;

interface ClientRow {
  id: Id;
  name: string;
  kind: 'person' | 'company';
  email: string | null;
  phone: string | null;
  notes: string | null;
  status: ClientInfo['status'];
  mentions: Id;
  facts: Id;
  projects: Id;
  conversations: Id;
  tracked: Id | string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT_CLIENT = `
  SELECT c.id, c.name, c.kind, c.email, c.phone, c.notes, c.status, c.created_at, c.updated_at,
         (SELECT count(DISTINCT mm.message_id) FROM memory_entity_mentions mm
            JOIN memory_entities e ON e.id = mm.entity_id WHERE e.client_id = c.id) AS mentions,
         (SELECT count(*) FROM memory_facts f WHERE f.client_id = c.id AND f.status = 'active') AS facts,
         (SELECT count(*) FROM projects p WHERE p.client_id = c.id) AS projects,
         (SELECT count(*) FROM conversations v WHERE v.client_id = c.id) AS conversations,
         (SELECT coalesce(sum(coalesce(w.duration_seconds, extract(epoch FROM now() - w.started_at)::bigint)), 0)
            FROM work_sessions w WHERE w.client_id = c.id) AS tracked
    FROM clients c`;

function toClient(r: ClientRow): ClientInfo {
  return {
    id: Number(r.id),
    name: r.name,
    kind: r.kind,
    email: r.email,
    phone: r.phone,
    notes: r.notes,
    status: r.status,
    mentions: Number(r.mentions),
    facts: Number(r.facts),
    projects: Number(r.projects),
    conversations: Number(r.conversations),
    trackedSeconds: Number(r.tracked ?? 0),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** The client's id from an id or a name (case-insensitive; an exact match wins over others). */
export async function resolveClientId(db: Queryable, ref: number | string): Promise<number> {
  if (typeof ref === 'number') {
    const [row] = await db.query<{ id: Id }>('SELECT id FROM clients WHERE id = $1', [ref]);
    if (!row) throw new PustakaError('not_found', `no client with id ${ref}`, { client: ref });
    return Number(row.id);
  }
  const rows = await db.query<{ id: Id; name: string }>(
    'SELECT id, name FROM clients WHERE lower(name) = lower($1) ORDER BY id',
    [ref.trim()],
  );
  if (rows.length === 0) throw new PustakaError('not_found', `no client named "${ref}"`, { client: ref });
  if (rows.length > 1) {
    throw new PustakaError(
      'conflict',
      `${rows.length} clients are named "${ref}"; use the id (${rows.map((r) => r.id).join(', ')})`,
      {
        client: ref,
      },
    );
  }
  return Number(rows[0]!.id);
}

export async function getClient(db: Queryable, ref: number | string): Promise<ClientInfo> {
  const id = await resolveClientId(db, ref);
  const [row] = await db.query<ClientRow>(`${SELECT_CLIENT} WHERE c.id = $1`, [id]);
  return toClient(row!);
}

export async function clientEntities(
  db: Queryable,
  clientId: number,
): Promise<{ id: number; kind: string; name: string; mentions: number }[]> {
  const rows = await db.query<{ id: Id; kind: string; name: string; mention_count: number }>(
    'SELECT id, kind, name, mention_count FROM memory_entities WHERE client_id = $1 ORDER BY mention_count DESC, id',
    [clientId],
  );
  return rows.map((r) => ({ id: Number(r.id), kind: r.kind, name: r.name, mentions: r.mention_count }));
}

export async function listClients(
  db: Queryable,
  opts: { status?: ClientInfo['status'] | 'all'; query?: string; limit: number; offset: number },
): Promise<{ clients: ClientInfo[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.status && opts.status !== 'all') {
    params.push(opts.status);
    where.push(`c.status = $${params.length}`);
  } else if (!opts.status) {
    where.push(`c.status IN ('active', 'proposed')`);
  }
  if (opts.query) {
    params.push(opts.query.replace(/[/\\]+/gu, ' '), `%${opts.query.toLowerCase()}%`);
    where.push(
      `(c.search @@ plainto_tsquery('simple', $${params.length - 1}) OR lower(c.name) LIKE $${params.length})`,
    );
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await db.query<{ n: Id }>(`SELECT count(*) AS n FROM clients c ${clause}`, params);
  const rows = await db.query<ClientRow>(
    `${SELECT_CLIENT} ${clause}
     ORDER BY (c.status = 'proposed') DESC, lower(c.name), c.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit, opts.offset],
  );
  return { clients: rows.map(toClient), total: Number(count?.n ?? 0) };
}

export interface ClientFields {
  name?: string;
  kind?: 'person' | 'company';
  email?: string | null;
  phone?: string | null;
  notes?: string | null;
  status?: ClientInfo['status'];
}

export async function createClient(db: Queryable, f: ClientFields & { name: string }): Promise<ClientInfo> {
  const [row] = await db.query<{ id: Id }>(
    `INSERT INTO clients (name, kind, email, phone, notes, status) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [
      f.name.trim(),
      f.kind ?? 'person',
      f.email || null,
      f.phone || null,
      f.notes || null,
      f.status ?? 'active',
    ],
  );
  await linkEntitiesByName(db, Number(row!.id));
  return getClient(db, Number(row!.id));
}

export async function updateClient(
  db: Queryable,
  ref: number | string,
  f: ClientFields,
): Promise<ClientInfo> {
  const id = await resolveClientId(db, ref);
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (f.name !== undefined) set('name', f.name.trim());
  if (f.kind !== undefined) set('kind', f.kind);
  if (f.email !== undefined) set('email', f.email || null);
  if (f.phone !== undefined) set('phone', f.phone || null);
  if (f.notes !== undefined) set('notes', f.notes || null);
  if (f.status !== undefined) set('status', f.status);
  if (sets.length) await db.query(`UPDATE clients SET ${sets.join(', ')} WHERE id = $1`, params);
  if (f.status === 'active') await linkClientFacts(db, id);
  return getClient(db, id);
}

/** Entities with the client's name (not yet linked elsewhere) join it. */
export async function linkEntitiesByName(db: Queryable, clientId: number): Promise<number> {
  const rows = await db.query(
    `UPDATE memory_entities e SET client_id = c.id
       FROM clients c
      WHERE c.id = $1 AND e.client_id IS NULL AND e.kind IN ('person', 'company')
        AND e.normalized_name = lower(regexp_replace(btrim(c.name), '\\s+', ' ', 'g'))
      RETURNING e.id`,
    [clientId],
  );
  if (rows.length) await linkClientFacts(db, clientId);
  return rows.length;
}

/** The facts about an active client's entities (by entity or by subject name) are linked to it. */
export async function linkClientFacts(db: Queryable, clientId: number): Promise<number> {
  const rows = await db.query(
    `UPDATE memory_facts f SET client_id = $1
       FROM memory_entities e, clients c
      WHERE c.id = $1 AND c.status = 'active' AND e.client_id = $1
        AND (f.entity_id = e.id OR (f.entity_id IS NULL AND lower(f.subject) = e.normalized_name))
        AND f.client_id IS DISTINCT FROM $1
      RETURNING f.id`,
    [clientId],
  );
  return rows.length;
}

export async function confirmClient(
  db: Queryable,
  ref: number | string,
): Promise<ClientInfo & { linkedFacts: number }> {
  const id = await resolveClientId(db, ref);
  await db.query(`UPDATE clients SET status = 'active' WHERE id = $1`, [id]);
  await linkEntitiesByName(db, id);
  const linkedFacts = await linkClientFacts(db, id);
  return { ...(await getClient(db, id)), linkedFacts };
}

export async function rejectClient(
  db: Queryable,
  ref: number | string,
): Promise<{ id: number; name: string }> {
  const client = await getClient(db, ref);
  if (client.status !== 'proposed') {
    throw new PustakaError(
      'conflict',
      `client "${client.name}" is ${client.status}, not proposed; archive or delete it instead`,
      { client: client.id },
    );
  }
  // Its entities remember the rejection, so the next analysis does not propose them again.
  await db.query(
    `UPDATE memory_entities SET attributes = attributes || '{"proposal":"rejected"}'::jsonb WHERE client_id = $1`,
    [client.id],
  );
  await db.query('DELETE FROM clients WHERE id = $1', [client.id]);
  return { id: client.id, name: client.name };
}

export async function deleteClient(
  db: Queryable,
  ref: number | string,
): Promise<{ id: number; name: string; projects: number }> {
  const client = await getClient(db, ref);
  await db.query('DELETE FROM clients WHERE id = $1', [client.id]);
  return { id: client.id, name: client.name, projects: client.projects };
}
