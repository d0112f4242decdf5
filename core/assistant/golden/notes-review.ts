/** The consultant's review of cultural/context notes: list, approve/reject, edit, write by hand. */
import type { ContextNote } from '../../contract/methods/notes.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';

interface Row {
  id: number | bigint;
  topic: string;
  content: string;
  when_to_use: string | null;
  tone: string | null;
  language: string | null;
  review_status: ContextNote['reviewStatus'];
  generated_by: string;
  source: { title?: string; source_path?: string };
  usage_count: number;
  created_at: Date;
}

const noteOf = (r: Row): ContextNote => ({
  id: Number(r.id),
  topic: r.topic,
  content: r.content,
  whenToUse: r.when_to_use,
  tone: r.tone,
  language: r.language,
  reviewStatus: r.review_status,
  generatedBy: r.generated_by,
  source: { title: r.source.title ?? null, sourcePath: r.source.source_path ?? null },
  usageCount: r.usage_count,
  createdAt: r.created_at.toISOString(),
});

export async function listNotes(db: Queryable, status: string, limit: number): Promise<ContextNote[]> {
  const rows = await db.query<Row>(
    `SELECT * FROM cultural_knowledge WHERE ($1 = 'all' OR review_status = $1)
      ORDER BY (review_status = 'draft') DESC, created_at DESC, id DESC LIMIT $2`,
    [status, limit],
  );
  return rows.map(noteOf);
}

async function getNote(db: Queryable, id: number): Promise<ContextNote> {
  const [r] = await db.query<Row>('SELECT * FROM cultural_knowledge WHERE id = $1', [id]);
  if (!r) throw new PustakaError('not_found', `no context note with id ${id}`, { id });
  return noteOf(r);
}

export async function reviewNote(db: Queryable, id: number, decision: 'approve' | 'reject') {
  const rows = await db.query(
    `UPDATE cultural_knowledge SET review_status = $2, reviewed_at = now() WHERE id = $1 RETURNING id`,
    [id, decision === 'approve' ? 'approved' : 'rejected'],
  );
  if (!rows.length) throw new PustakaError('not_found', `no context note with id ${id}`, { id });
  return getNote(db, id);
}

export interface NoteEdit {
  id?: number | undefined;
  topic?: string | undefined;
  content?: string | undefined;
  whenToUse?: string | undefined;
  tone?: string | undefined;
  approve: boolean;
}

export async function editNote(db: Queryable, e: NoteEdit): Promise<ContextNote> {
  if (e.id === undefined) {
    const [r] = await db.query<{ id: number | bigint }>(
      `INSERT INTO cultural_knowledge (topic, content, when_to_use, tone, generated_by, review_status, reviewed_at)
       VALUES ($1, $2, $3, $4, 'user', 'approved', now()) RETURNING id`,
      [e.topic, e.content, e.whenToUse ?? null, e.tone ?? null],
    );
    return getNote(db, Number(r!.id));
  }
  const rows = await db.query(
    `UPDATE cultural_knowledge
        SET topic = coalesce($2, topic), content = coalesce($3, content),
            when_to_use = coalesce($4, when_to_use), tone = coalesce($5, tone),
            review_status = CASE WHEN $6 THEN 'approved' ELSE review_status END,
            reviewed_at = CASE WHEN $6 THEN now() ELSE reviewed_at END
      WHERE id = $1 RETURNING id`,
    [e.id, e.topic ?? null, e.content ?? null, e.whenToUse ?? null, e.tone ?? null, e.approve],
  );
  if (!rows.length) throw new PustakaError('not_found', `no context note with id ${e.id}`, { id: e.id });
  return getNote(db, e.id);
}
