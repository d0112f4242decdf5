/**
 * The semantic index of approved golden answers, in collections.db beside the chunks: one entry
 * per canonical question and variation, its vector in a vec0 table per dimension, partitioned by
 * embedder. Like the chunks it is derived data: `syncGoldenIndex` makes it match PG's approved
 * set (re-embedding only what changed), so a lost or stale index costs a re-sync, never answers.
 */
import crypto from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { normalizeQuestion } from '../../base/normalize.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import type { Embedder } from '../../models/embed/types.ts';
import { assertValidDim } from '../../stores/vectors/schema.ts';

type Sqlite = BetterSqlite3.Database;

export interface ApprovedQuestions {
  id: number;
  canonicalQuestion: string;
  variations: string[];
}

const tableFor = (dim: number) => {
  assertValidDim(dim);
  return `golden_vec_${dim}`;
};

export function ensureTable(db: Sqlite, dim: number): string {
  const table = tableFor(dim);
  db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0 (
    entry_id INTEGER PRIMARY KEY,
    embedder_id TEXT PARTITION KEY,
    embedding float[${dim}]
  )`);
  return table;
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

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

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
  sqlite: Sqlite,
  approved: readonly ApprovedQuestions[],
  embedder: Embedder,
  signal?: AbortSignal,
): Promise<SyncReport> {
  const table = ensureTable(sqlite, embedder.dim);
  const current = new Map<number, string>();
  for (const r of sqlite
    .prepare('SELECT DISTINCT golden_id, version FROM golden_entries WHERE embedder_id = ?')
    .all(embedder.id) as { golden_id: number; version: string }[]) {
    current.set(r.golden_id, r.version);
  }
  const wanted = new Map(approved.map((g) => [g.id, questionsOf(g)]));
  const stale = [...current].filter(([id, v]) => wanted.get(id)?.version !== v).map(([id]) => id);
  const fresh = [...wanted].filter(([id, q]) => current.get(id) !== q.version && q.texts.length > 0);

  const removeOne = sqlite.prepare('SELECT id FROM golden_entries WHERE golden_id = ? AND embedder_id = ?');
  const delEntry = sqlite.prepare('DELETE FROM golden_entries WHERE id = ?');
  const delVec = sqlite.prepare(`DELETE FROM ${table} WHERE entry_id = ?`);
  sqlite.transaction(() => {
    for (const id of stale) {
      for (const { id: entry } of removeOne.all(id, embedder.id) as { id: number }[]) {
        delVec.run(BigInt(entry));
        delEntry.run(entry);
      }
    }
  })();

  const insEntry = sqlite.prepare(
    'INSERT INTO golden_entries (golden_id, embedder_id, dim, text, version) VALUES (?, ?, ?, ?, ?)',
  );
  const insVec = sqlite.prepare(
    `INSERT INTO ${table} (entry_id, embedder_id, embedding) VALUES (?, ?, vec_f32(?))`,
  );
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
    sqlite.transaction(() => {
      for (const [id, q] of pending) {
        for (const t of q.texts) {
          const info = insEntry.run(id, embedder.id, embedder.dim, t, q.version);
          insVec.run(BigInt(info.lastInsertRowid), embedder.id, blob(vectors[i++]!));
        }
      }
    })();
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
