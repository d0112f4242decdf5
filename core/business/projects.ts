/** Projects (table projects, migrations/0001): work for a client with a type, status and timeline. */
import type { ProjectInfo } from '../contract/methods/crm.ts';
import type { Queryable } from '../stores/pg/pg-store.ts';
import { PustakaError } from '../base/errors.ts';
import { resolveClientId } from './clients.ts';

type Id = number | bigint;

interface ProjectRow {
  id: Id;
  client_id: Id;
  client_name: string;
  name: string;
  type: string | null;
  status: ProjectInfo['status'];
  starts_on: string | null;
  due_on: string | null;
  ended_on: string | null;
  notes: string | null;
  tracked: Id | string | null;
  created_at: Date;
  updated_at: Date;
}

// Dates as text: a DATE has no time zone, and a JS Date would invent one.
const SELECT_PROJECT = `
  SELECT p.id, p.client_id, c.name AS client_name, p.name, p.type, p.status,
         p.starts_on::text AS starts_on, p.due_on::text AS due_on, p.ended_on::text AS ended_on,
         p.notes, p.created_at, p.updated_at,
         (SELECT coalesce(sum(coalesce(w.duration_seconds, extract(epoch FROM now() - w.started_at)::bigint)), 0)
            FROM work_sessions w WHERE w.project_id = p.id) AS tracked
    FROM projects p JOIN clients c ON c.id = p.client_id`;

function toProject(r: ProjectRow): ProjectInfo {
  return {
    id: Number(r.id),
    clientId: Number(r.client_id),
    clientName: r.client_name,
    name: r.name,
    type: r.type,
    status: r.status,
    startsOn: r.starts_on,
    dueOn: r.due_on,
    endedOn: r.ended_on,
    notes: r.notes,
    trackedSeconds: Number(r.tracked ?? 0),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function getProject(db: Queryable, id: number): Promise<ProjectInfo> {
  const [row] = await db.query<ProjectRow>(`${SELECT_PROJECT} WHERE p.id = $1`, [id]);
  if (!row) throw new PustakaError('not_found', `no project with id ${id}`, { id });
  return toProject(row);
}

export async function listProjects(
  db: Queryable,
  opts: { client?: number | string; status?: ProjectInfo['status']; limit: number; offset: number },
): Promise<{ projects: ProjectInfo[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (opts.client !== undefined) {
    params.push(await resolveClientId(db, opts.client));
    where.push(`p.client_id = $${params.length}`);
  }
  if (opts.status) {
    params.push(opts.status);
    where.push(`p.status = $${params.length}`);
  }
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [count] = await db.query<{ n: Id }>(`SELECT count(*) AS n FROM projects p ${clause}`, params);
  const rows = await db.query<ProjectRow>(
    `${SELECT_PROJECT} ${clause} ORDER BY p.due_on NULLS LAST, p.id DESC
     LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, opts.limit, opts.offset],
  );
  return { projects: rows.map(toProject), total: Number(count?.n ?? 0) };
}

export interface ProjectFields {
  name?: string;
  type?: string | null;
  status?: ProjectInfo['status'];
  startsOn?: string | null;
  dueOn?: string | null;
  endedOn?: string | null;
  notes?: string | null;
}

/** The schema's CHECKs, as messages a user understands. */
function checkTimeline(p: { startsOn: string | null; dueOn: string | null; endedOn: string | null }): void {
  if (p.startsOn && p.dueOn && p.dueOn < p.startsOn) {
    throw new PustakaError('invalid_params', `the due date ${p.dueOn} is before the start ${p.startsOn}`);
  }
  if (p.startsOn && p.endedOn && p.endedOn < p.startsOn) {
    throw new PustakaError('invalid_params', `the end date ${p.endedOn} is before the start ${p.startsOn}`);
  }
}

export async function createProject(
  db: Queryable,
  client: number | string,
  f: ProjectFields & { name: string },
): Promise<ProjectInfo> {
  const clientId = await resolveClientId(db, client);
  const timeline = { startsOn: f.startsOn ?? null, dueOn: f.dueOn ?? null, endedOn: f.endedOn ?? null };
  checkTimeline(timeline);
  const [row] = await db.query<{ id: Id }>(
    `INSERT INTO projects (client_id, name, type, status, starts_on, due_on, ended_on, notes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      clientId,
      f.name.trim(),
      f.type || null,
      f.status ?? 'active',
      timeline.startsOn,
      timeline.dueOn,
      timeline.endedOn,
      f.notes || null,
    ],
  );
  return getProject(db, Number(row!.id));
}

export async function updateProject(db: Queryable, id: number, f: ProjectFields): Promise<ProjectInfo> {
  const current = await getProject(db, id);
  checkTimeline({
    startsOn: f.startsOn !== undefined ? f.startsOn : current.startsOn,
    dueOn: f.dueOn !== undefined ? f.dueOn : current.dueOn,
    endedOn: f.endedOn !== undefined ? f.endedOn : current.endedOn,
  });
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  if (f.name !== undefined) set('name', f.name.trim());
  if (f.type !== undefined) set('type', f.type || null);
  if (f.status !== undefined) set('status', f.status);
  if (f.startsOn !== undefined) set('starts_on', f.startsOn);
  if (f.dueOn !== undefined) set('due_on', f.dueOn);
  if (f.endedOn !== undefined) set('ended_on', f.endedOn);
  if (f.notes !== undefined) set('notes', f.notes || null);
  // Finishing a project without an end date: today.
  if (f.status === 'done' && f.endedOn === undefined && !current.endedOn)
    sets.push('ended_on = current_date');
  if (sets.length) await db.query(`UPDATE projects SET ${sets.join(', ')} WHERE id = $1`, params);
  return getProject(db, id);
}

export async function deleteProject(db: Queryable, id: number): Promise<{ id: number; name: string }> {
  const p = await getProject(db, id);
  await db.query('DELETE FROM projects WHERE id = $1', [id]);
  return { id, name: p.name };
}
