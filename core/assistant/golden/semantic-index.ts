/**
 * The semantic index of approved golden answers, in collections.db beside the chunks: one entry
 * per canonical question and variation, its vector in a vec0 table per dimension, partitioned by
 * embedder. Like the chunks it is derived data: `syncGoldenIndex` makes it match PG's approved
 * set (re-embedding only what changed), so a lost or stale index costs a re-sync, never answers.
 */
import crypto from 'node:crypto';
import { normalizeQuestion } from '../../base/normalize.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import type { Embedder } from '../../models/embed/types.ts';
import {
  ensureGoldenTable,
  goldenVersions,
  insertGoldenEntries,
  removeGoldenEntries,
} from '../../stores/vectors/golden-index.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';

export interface ApprovedQuestions {
  id: number;
  canonicalQuestion: string;
  variations: string[];
}

export function ensureTable(store: VectorStore, dim: number): string {
  return ensureGoldenTable(store, dim);
}

/** The questions of one golden answer, each wording once; the hash says when they changed. */
export function questionsOf(g: ApprovedQuestions): { texts: string[]; version: string } {
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const t of [g.canonicalQuestion, ...g.variations]) {
    const key = normalizeQuestion(t);
    if (!key || seen.has(key)) continue;
    seen.add(key);
    texts.push(t.trim());
  }
  const version = crypto.createHash('sha1').update(JSON.stringify(texts)).digest('hex');
  return { texts, version };
}

export async function approvedQuestions(db: Db): Promise<ApprovedQuestions[]> {
  const rows = await db.query<{ id: number | bigint; canonical_question: string; variations: string[] }>(
    `SELECT id, canonical_question, variations FROM golden_answers WHERE review_status = 'approved'`,
  );
  return rows.map((r) => ({
    id: Number(r.id),
    canonicalQuestion: r.canonical_question,
    variations: r.variations,
  }));
}

export interface SyncReport {
  added: number;
  removed: number;
  embedded: number;
}

/**
 * Brings the index for `embedder` in line with the approved golden answers: entries of answers
 * no longer approved (or whose questions changed) go, new questions are embedded in batches.
 */
export async function syncGoldenIndex(
  store: VectorStore,
  approved: readonly ApprovedQuestions[],
  embedder: Embedder,
  signal?: AbortSignal,
): Promise<SyncReport> {
  const table = ensureTable(store, embedder.dim);
  const current = goldenVersions(store, embedder.id);
  const wanted = new Map(approved.map((g) => [g.id, questionsOf(g)]));
  const stale = [...current].filter(([id, v]) => wanted.get(id)?.version !== v).map(([id]) => id);
  const fresh = [...wanted].filter(([id, q]) => current.get(id) !== q.version && q.texts.length > 0);

  removeGoldenEntries(store, table, embedder.id, stale);

  let embedded = 0;
  const batch = Math.max(1, embedder.batchSize);
  // Answers whose questions fill one embed() batch together; each answer is written whole.
  let pending: [number, { texts: string[]; version: string }][] = [];
  const flush = async () => {
    const texts = pending.flatMap(([, q]) => q.texts);
    if (texts.length === 0) return;
    const vectors = await embedder.embed(texts, signal);
    embedded += texts.length;
    let i = 0;
    const entries = pending.flatMap(([goldenId, q]) =>
      q.texts.map((text) => ({ goldenId, text, version: q.version, embedding: vectors[i++]! })),
    );
    insertGoldenEntries(store, table, embedder.id, embedder.dim, entries);
    pending = [];
  };
  for (const entry of fresh) {
    signal?.throwIfAborted();
    pending.push(entry);
    if (pending.reduce((n, [, q]) => n + q.texts.length, 0) >= batch) await flush();
  }
  await flush();
  return { added: fresh.length, removed: stale.length, embedded };
}
