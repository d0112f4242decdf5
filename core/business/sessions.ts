/** Time tracking (table work_sessions, migrations/0001): one running timer at most, manual entries, CSV. */
import fs from 'node:fs';
import path from 'node:path';
import type { SessionInfo } from '../contract/methods/crm.ts';
import type { Queryable } from '../stores/pg/pg-store.ts';
import { PustakaError } from '../base/errors.ts';
import { resolveClientId } from './clients.ts';
import { toCsv } from './csv.ts';

type Id = number | bigint;

interface SessionRow {
  id: Id;
  client_id: Id | null;
  client_name: string | null;
  project_id: Id | null;
  project_name: string | null;
  conversation_id: Id | null;
  started_at: Date;
  ended_at: Date | null;
  seconds: Id | string;
  description: string | null;
  billable: boolean;
}

const SELECT_SESSION = `
  SELECT w.id, w.client_id, c.name AS client_name, w.project_id, p.name AS project_name, w.conversation_id,
         w.started_at, w.ended_at, w.description, w.billable,
         coalesce(w.duration_seconds, greatest(0, extract(epoch FROM now() - w.started_at))::bigint) AS seconds
    FROM work_sessions w
    LEFT JOIN clients c ON c.id = w.client_id
    LEFT JOIN projects p ON p.id = w.project_id`;

const num = (v: Id | null) => (v === null ? null : Number(v));

function toSession(r: SessionRow): SessionInfo {
  return {
    id: Number(r.id),
    clientId: num(r.client_id),
    clientName: r.client_name,
    projectId: num(r.project_id),
    projectName: r.project_name,
    conversationId: num(r.conversation_id),
    startedAt: r.started_at.toISOString(),
    endedAt: r.ended_at?.toISOString() ?? null,
    durationSeconds: Number(r.seconds),
    description: r.description,
    billable: r.billable,
  };
}

async function getSession(db: Queryable, id: number): Promise<SessionInfo> {
  const [row] = await db.query<SessionRow>(`${SELECT_SESSION} WHERE w.id = $1`, [id]);
  if (!row) throw new PustakaError('not_found', `no work session with id ${id}`, { id });
  return toSession(row);
}

export interface SessionLinks {
  client?: number | string;
  projectId?: number;
  conversationId?: number;
  note?: string;
}

/** Client, project and conversation ids, checked; a project brings its client. */
async function resolveLinks(db: Queryable, l: SessionLinks) {
  let clientId = l.client !== undefined ? await resolveClientId(db, l.client) : null;
  let projectId: number | null = null;
  if (l.projectId !== undefined) {
    const [p] = await db.query<{ id: Id; client_id: Id; name: string }>(
      'SELECT id, client_id, name FROM projects WHERE id = $1',
      [l.projectId],
    );
    if (!p)
      throw new PustakaError('not_found', `no project with id ${l.projectId}`, { projectId: l.projectId });
    if (clientId !== null && Number(p.client_id) !== clientId) {
      throw new PustakaError(
        'invalid_params',
        `project ${l.projectId} ("${p.name}") belongs to another client`,
      );
    }
    clientId = Number(p.client_id);
    projectId = Number(p.id);
  }
  if (l.conversationId !== undefined) {
    const [c] = await db.query('SELECT id FROM conversations WHERE id = $1', [l.conversationId]);
    if (!c) throw new PustakaError('not_found', `no conversation with id ${l.conversationId}`);
  }
  return { clientId, projectId, conversationId: l.conversationId ?? null, note: l.note?.trim() || null };
}

function instant(s: string | undefined, what: string): Date {
  if (s === undefined) return new Date();
  const d = new Date(s);
  if (Number.isNaN(d.getTime()))
    throw new PustakaError('invalid_params', `${what} "${s}" is not a valid date or time`);
  return d;
}

export async function currentSession(db: Queryable): Promise<SessionInfo | null> {
  const [row] = await db.query<SessionRow>(`${SELECT_SESSION} WHERE w.ended_at IS NULL`);
  return row ? toSession(row) : null;
}

export async function startSession(db: Queryable, l: SessionLinks & { at?: string }): Promise<SessionInfo> {
  const running = await currentSession(db);
  if (running) {
    throw new PustakaError(
      'conflict',
      `a session is already running (id ${running.id}, since ${running.startedAt}); stop it first`,
      { running: running.id },
    );
  }
  const links = await resolveLinks(db, l);
  try {
    const [row] = await db.query<{ id: Id }>(
      `INSERT INTO work_sessions (client_id, project_id, conversation_id, description, started_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [links.clientId, links.projectId, links.conversationId, links.note, instant(l.at, 'the start')],
    );
    return getSession(db, Number(row!.id));
  } catch (err) {
    // Another process started one between our check and the insert: the unique index says no.
    if ((err as { code?: string }).code === '23505') {
      throw new PustakaError('conflict', 'a session is already running; stop it first', {}, { cause: err });
    }
    throw err;
  }
}

export async function stopSession(db: Queryable, opts: { at?: string; note?: string }): Promise<SessionInfo> {
  const running = await currentSession(db);
  if (!running) throw new PustakaError('not_found', 'no session is running');
  const at = instant(opts.at, 'the end');
  if (at < new Date(running.startedAt)) {
    throw new PustakaError(
      'invalid_params',
      `the end ${at.toISOString()} is before the start ${running.startedAt}`,
    );
  }
  await db.query(
    `UPDATE work_sessions SET ended_at = $2,
            description = CASE WHEN $3::text IS NULL THEN description
                               WHEN description IS NULL THEN $3 ELSE description || E'\\n' || $3 END
      WHERE id = $1`,
    [running.id, at, opts.note?.trim() || null],
  );
  return getSession(db, running.id);
}

export async function addSession(
  db: Queryable,
  l: SessionLinks & { startedAt: string; endedAt: string; billable?: boolean },
): Promise<SessionInfo> {
  const start = instant(l.startedAt, 'the start');
  const end = instant(l.endedAt, 'the end');
  if (end < start) {
    throw new PustakaError(
      'invalid_params',
      `the end ${end.toISOString()} is before the start ${start.toISOString()}`,
    );
  }
  const links = await resolveLinks(db, l);
  const [row] = await db.query<{ id: Id }>(
    `INSERT INTO work_sessions (client_id, project_id, conversation_id, description, started_at, ended_at, billable)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [links.clientId, links.projectId, links.conversationId, links.note, start, end, l.billable ?? true],
  );
  return getSession(db, Number(row!.id));
}

export interface SessionFilter {
  from?: string;
  to?: string;
  client?: number | string;
  projectId?: number;
}

async function filterClause(db: Queryable, f: SessionFilter): Promise<{ clause: string; params: unknown[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.from !== undefined) {
    params.push(instant(f.from, 'from'));
    where.push(`w.started_at >= $${params.length}`);
  }
  if (f.to !== undefined) {
    params.push(instant(f.to, 'to'));
    where.push(`w.started_at < $${params.length}`);
  }
  if (f.client !== undefined) {
    params.push(await resolveClientId(db, f.client));
    where.push(`w.client_id = $${params.length}`);
  }
  if (f.projectId !== undefined) {
    params.push(f.projectId);
    where.push(`w.project_id = $${params.length}`);
  }
  return { clause: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

export async function listSessions(
  db: Queryable,
  f: SessionFilter & { limit: number; offset: number },
): Promise<{ sessions: SessionInfo[]; total: number; totalSeconds: number }> {
  const { clause, params } = await filterClause(db, f);
  const [agg] = await db.query<{ n: Id; seconds: Id | string | null }>(
    `SELECT count(*) AS n,
            sum(coalesce(w.duration_seconds, greatest(0, extract(epoch FROM now() - w.started_at))::bigint)) AS seconds
       FROM work_sessions w ${clause}`,
    params,
  );
  const rows = await db.query<SessionRow>(
    `${SELECT_SESSION} ${clause} ORDER BY w.started_at DESC, w.id DESC
     LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return {
    sessions: rows.map(toSession),
    total: Number(agg?.n ?? 0),
    totalSeconds: Number(agg?.seconds ?? 0),
  };
}

export async function deleteSession(db: Queryable, id: number): Promise<{ id: number }> {
  const rows = await db.query('DELETE FROM work_sessions WHERE id = $1 RETURNING id', [id]);
  if (!rows.length) throw new PustakaError('not_found', `no work session with id ${id}`, { id });
  return { id };
}

export const CSV_HEADERS = [
  'id',
  'client',
  'project',
  'conversation_id',
  'started_at',
  'ended_at',
  'duration_seconds',
  'hours',
  'billable',
  'description',
];

export async function exportSessions(
  db: Queryable,
  f: SessionFilter & { path?: string },
): Promise<{ rows: number; path: string | null; csv: string | null }> {
  const { clause, params } = await filterClause(db, f);
  const rows = (
    await db.query<SessionRow>(`${SELECT_SESSION} ${clause} ORDER BY w.started_at, w.id`, params)
  ).map(toSession);
  const csv = toCsv(
    CSV_HEADERS,
    rows.map((s) => [
      s.id,
      s.clientName,
      s.projectName,
      s.conversationId,
      s.startedAt,
      s.endedAt,
      s.durationSeconds,
      (s.durationSeconds / 3600).toFixed(2),
      s.billable,
      s.description,
    ]),
  );
  if (!f.path) return { rows: rows.length, path: null, csv };
  const file = path.resolve(f.path);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new PustakaError('invalid_params', `the folder ${dir} does not exist`);
  // Written beside, then renamed: an interrupted export never leaves half a file under the name.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, csv);
  fs.renameSync(tmp, file);
  return { rows: rows.length, path: file, csv: null };
}
