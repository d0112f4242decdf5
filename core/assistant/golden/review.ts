/**
 * The consultant's side of golden answers: list the review queue, approve, edit (keeping the
 * previous version), reject, pin, write one by hand, delete. Every change resets the lookup
 * caches and the semantic index (the golden-changed event).
 */
import type {
  GoldenDetail,
  GoldenRevision,
  GoldenSummary,
  ReviewStatus,
} from '../../contract/methods/golden.ts';
import type { Db, Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { questionKeys } from './question-key.ts';
import { sourcesToCitations, type GoldenSource } from './sources.ts';

interface Row {
  id: number | bigint;
  canonical_question: string;
  answer: string;
  review_status: ReviewStatus;
  generated_by: string;
  confidence: number | null;
  pinned: boolean;
  usage_count: number;
  last_used_at: Date | null;
  variations: string[];
  sources: GoldenSource[];
  stale_reason: string | null;
  cluster_query_count: number | null;
  created_at: Date;
  updated_at: Date;
  collection_ids: (number | bigint)[] | null;
  cluster_id: number | bigint | null;
  reviewed_at: Date | null;
  revisions: number | bigint;
  tokens_in: number | null;
  tokens_out: number | null;
}

const SELECT = `
  SELECT g.*, c.query_count AS cluster_query_count,
         (SELECT count(*) FROM golden_answer_revisions r WHERE r.golden_answer_id = g.id) AS revisions
    FROM golden_answers g LEFT JOIN query_clusters c ON c.id = g.cluster_id`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function summaryOf(r: Row): GoldenSummary {
  return {
    id: Number(r.id),
    canonicalQuestion: r.canonical_question,
    answerPreview: r.answer.length > 280 ? `${r.answer.slice(0, 279)}…` : r.answer,
    reviewStatus: r.review_status,
    generatedBy: r.generated_by,
    confidence: r.confidence === null ? null : Math.round(r.confidence * 1000) / 1000,
    pinned: r.pinned,
    usageCount: r.usage_count,
    lastUsedAt: iso(r.last_used_at),
    variationCount: r.variations.length,
    sourceCount: r.sources.length,
    staleReason: r.stale_reason,
    clusterQueryCount: r.cluster_query_count,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

function detailOf(r: Row): GoldenDetail {
  return {
    ...summaryOf(r),
    answer: r.answer,
    variations: r.variations,
    sources: sourcesToCitations(r.sources),
    collectionIds: r.collection_ids?.map(Number) ?? null,
    clusterId: r.cluster_id === null ? null : Number(r.cluster_id),
    reviewedAt: iso(r.reviewed_at),
    revisions: Number(r.revisions),
    tokens: { in: r.tokens_in, out: r.tokens_out },
  };
}

export async function getGolden(db: Queryable, id: number): Promise<GoldenDetail> {
  const [r] = await db.query<Row>(`${SELECT} WHERE g.id = $1`, [id]);
  if (!r) throw new PustakaError('not_found', `no golden answer with id ${id}`, { id });
  return detailOf(r);
}

export interface ListGoldenParams {
  status: ReviewStatus | 'review' | 'all';
  query?: string | undefined;
  limit: number;
  offset: number;
}

export async function listGolden(db: Db, p: ListGoldenParams) {
  const where: string[] = [];
  const args: unknown[] = [];
  if (p.status === 'review') where.push(`g.review_status IN ('draft', 'stale')`);
  else if (p.status !== 'all') where.push(`g.review_status = $${args.push(p.status)}`);
  if (p.query?.trim()) where.push(`g.search @@ plainto_tsquery('simple', $${args.push(p.query.trim())})`);
  const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // The review queue puts what is asked most first; other lists the newest.
  const order =
    p.status === 'review' || p.status === 'draft'
      ? 'coalesce(c.query_count, 0) DESC, g.created_at DESC, g.id DESC'
      : 'g.updated_at DESC, g.id DESC';
  const rows = await db.query<Row>(
    `${SELECT} ${filter} ORDER BY ${order} LIMIT $${args.push(p.limit)} OFFSET $${args.push(p.offset)}`,
    args,
  );
  const [{ total }] = (await db.query<{ total: number | bigint }>(
    `SELECT count(*) AS total FROM golden_answers g ${filter}`,
    args.slice(0, -2),
  )) as [{ total: number | bigint }];
  const counts = { draft: 0, approved: 0, rejected: 0, stale: 0 };
  for (const c of await db.query<{ review_status: ReviewStatus; n: number | bigint }>(
    'SELECT review_status, count(*) AS n FROM golden_answers GROUP BY review_status',
  )) {
    counts[c.review_status] = Number(c.n);
  }
  return { items: rows.map(summaryOf), total: Number(total), counts };
}

/** Saves the current state of an answer as a revision (before an edit replaces it). */
export async function saveRevision(tx: Queryable, id: number, editedBy: 'user' | 'worker', note?: string) {
  await tx.query(
    `INSERT INTO golden_answer_revisions
       (golden_answer_id, canonical_question, variations, answer, sources, review_status, generated_by,
        edited_by, note)
     SELECT id, canonical_question, variations, answer, sources, review_status, generated_by, $2, $3
       FROM golden_answers WHERE id = $1`,
    [id, editedBy, note ?? null],
  );
}

export async function approveGolden(engine: Engine, ids: readonly number[]): Promise<number[]> {
  const rows = await engine.db.query<{ id: number | bigint }>(
    `UPDATE golden_answers
        SET review_status = 'approved', reviewed_at = now(), stale_reason = NULL
      WHERE id = ANY($1::bigint[]) RETURNING id`,
    [ids],
  );
  const approved = rows.map((r) => Number(r.id));
  const missing = ids.filter((id) => !approved.includes(id));
  if (missing.length === ids.length) {
    throw new PustakaError('not_found', `no golden answer with id ${missing.join(', ')}`, { ids: missing });
  }
  await engine.events.emit('golden-changed', { reason: 'review' });
  return approved;
}

export async function rejectGolden(engine: Engine, id: number, reason?: string): Promise<GoldenDetail> {
  const rows = await engine.db.query(
    `UPDATE golden_answers SET review_status = 'rejected', reviewed_at = now(),
            stale_reason = coalesce($2, stale_reason)
      WHERE id = $1 RETURNING id`,
    [id, reason ?? null],
  );
  if (!rows.length) throw new PustakaError('not_found', `no golden answer with id ${id}`, { id });
  await engine.events.emit('golden-changed', { reason: 'review' });
  return getGolden(engine.db, id);
}

export interface GoldenEdit {
  answer?: string | undefined;
  canonicalQuestion?: string | undefined;
  variations?: string[] | undefined;
  addVariations?: string[] | undefined;
  approve?: boolean | undefined;
  note?: string | undefined;
}

/** Distinct wordings (by normalised form), without the canonical question itself. */
function cleanVariations(canonical: string, variations: readonly string[]): string[] {
  const seen = new Set([questionKeys(canonical).hash]);
  const out: string[] = [];
  for (const v of variations) {
    const k = questionKeys(v);
    if (!k.normalized || seen.has(k.hash)) continue;
    seen.add(k.hash);
    out.push(v.trim());
  }
  return out;
}

async function assertHashFree(tx: Queryable, hash: string, id: number | null, question: string) {
  const [other] = await tx.query<{ id: number | bigint }>(
    'SELECT id FROM golden_answers WHERE query_hash = $1 AND ($2::bigint IS NULL OR id <> $2)',
    [hash, id],
  );
  if (other) {
    throw new PustakaError(
      'conflict',
      `golden answer ${other.id} already answers "${question}"; edit that one instead`,
      { id: Number(other.id) },
    );
  }
}

export async function editGolden(engine: Engine, id: number, edit: GoldenEdit): Promise<GoldenDetail> {
  const before = await getGolden(engine.db, id);
  const canonical = edit.canonicalQuestion?.trim() ?? before.canonicalQuestion;
  const variations = cleanVariations(canonical, [
    ...(edit.variations ?? before.variations),
    ...(edit.addVariations ?? []),
    // A reworded canonical question keeps the old wording as a variation.
    ...(canonical !== before.canonicalQuestion ? [before.canonicalQuestion] : []),
  ]);
  const key = questionKeys(canonical);
  const changed =
    (edit.answer !== undefined && edit.answer.trim() !== before.answer) ||
    canonical !== before.canonicalQuestion ||
    JSON.stringify(variations) !== JSON.stringify(before.variations);
  await engine.db.transaction(async (tx) => {
    if (canonical !== before.canonicalQuestion) await assertHashFree(tx, key.hash, id, canonical);
    if (changed) await saveRevision(tx, id, 'user', edit.note);
    await tx.query(
      `UPDATE golden_answers
          SET answer = $2, canonical_question = $3, query_hash = $4, loose_key = $5, variations = $6,
              variation_hashes = $7,
              review_status = CASE WHEN $8 THEN 'approved' ELSE review_status END,
              reviewed_at = CASE WHEN $8 THEN now() ELSE reviewed_at END,
              stale_reason = CASE WHEN $8 THEN NULL ELSE stale_reason END
        WHERE id = $1`,
      [
        id,
        edit.answer?.trim() ?? before.answer,
        canonical,
        key.hash,
        key.looseKey,
        variations,
        variations.map((v) => questionKeys(v).hash),
        edit.approve === true,
      ],
    );
  });
  await engine.events.emit('golden-changed', { reason: 'review' });
  return getGolden(engine.db, id);
}

export async function pinGolden(engine: Engine, id: number, pinned: boolean): Promise<GoldenDetail> {
  const rows = await engine.db.query('UPDATE golden_answers SET pinned = $2 WHERE id = $1 RETURNING id', [
    id,
    pinned,
  ]);
  if (!rows.length) throw new PustakaError('not_found', `no golden answer with id ${id}`, { id });
  await engine.events.emit('golden-changed', { reason: 'review' });
  return getGolden(engine.db, id);
}

export interface NewGolden {
  question: string;
  answer: string;
  variations: string[];
  collectionIds: number[] | null;
}

export async function createGolden(engine: Engine, g: NewGolden): Promise<GoldenDetail> {
  const key = questionKeys(g.question);
  const variations = cleanVariations(g.question, g.variations);
  const id = await engine.db.transaction(async (tx) => {
    await assertHashFree(tx, key.hash, null, g.question);
    const [row] = await tx.query<{ id: number | bigint }>(
      `INSERT INTO golden_answers
         (query_hash, loose_key, canonical_question, variations, variation_hashes, answer, generated_by,
          confidence, review_status, reviewed_at, pinned, collection_ids)
       VALUES ($1, $2, $3, $4, $5, $6, 'user', 1, 'approved', now(), true, $7::bigint[]) RETURNING id`,
      [
        key.hash,
        key.looseKey,
        g.question.trim(),
        variations,
        variations.map((v) => questionKeys(v).hash),
        g.answer.trim(),
        g.collectionIds,
      ],
    );
    return Number(row!.id);
  });
  await engine.events.emit('golden-changed', { reason: 'review' });
  return getGolden(engine.db, id);
}

export async function goldenHistory(db: Queryable, id: number): Promise<GoldenRevision[]> {
  await getGolden(db, id);
  const rows = await db.query<{
    id: number | bigint;
    canonical_question: string;
    variations: string[];
    answer: string;
    review_status: string;
    generated_by: string;
    edited_by: string;
    note: string | null;
    created_at: Date;
  }>('SELECT * FROM golden_answer_revisions WHERE golden_answer_id = $1 ORDER BY created_at DESC, id DESC', [
    id,
  ]);
  return rows.map((r) => ({
    id: Number(r.id),
    canonicalQuestion: r.canonical_question,
    variations: r.variations,
    answer: r.answer,
    reviewStatus: r.review_status,
    generatedBy: r.generated_by,
    editedBy: r.edited_by,
    note: r.note,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function deleteGolden(engine: Engine, id: number): Promise<{ id: number }> {
  const rows = await engine.db.query('DELETE FROM golden_answers WHERE id = $1 RETURNING id', [id]);
  if (!rows.length) throw new PustakaError('not_found', `no golden answer with id ${id}`, { id });
  await engine.events.emit('golden-changed', { reason: 'review' });
  return { id };
}
