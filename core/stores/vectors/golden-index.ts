/**
 * Storage of the golden answers' semantic index in collections.db: `golden_entries` (one row per
 * question wording and embedder) and a vec0 table per dimension, `golden_vec_<dim>`, partitioned
 * by embedder. What goes in it is decided by core/assistant/golden/semantic-index.ts.
 */
import { assertValidDim } from './schema.ts';
import { withContext } from './context.ts';
import type { VectorStore } from './types.ts';

export interface GoldenEntryInput {
  goldenId: number;
  text: string;
  /** Hash of the golden answer's questions when embedded. */
  version: string;
  embedding: Float32Array;
}

export interface GoldenVectorRow {
  golden_id: number;
  text: string;
  embedding: Buffer;
}

const blob = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Creates the vec0 table for `dim` if needed; returns its name. */
export function ensureGoldenTable(store: VectorStore, dim: number): string {
  assertValidDim(dim);
  const table = `golden_vec_${dim}`;
  withContext(store, ({ db }) =>
    db.exec(`CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0 (
    entry_id INTEGER PRIMARY KEY,
    embedder_id TEXT PARTITION KEY,
    embedding float[${dim}]
  )`),
  );
  return table;
}

/** golden id → version of its questions, for the entries of this embedder. */
export function goldenVersions(store: VectorStore, embedderId: string): Map<number, string> {
  const rows = withContext(
    store,
    ({ db }) =>
      db
        .prepare('SELECT DISTINCT golden_id, version FROM golden_entries WHERE embedder_id = ?')
        .all(embedderId) as { golden_id: number; version: string }[],
  );
  return new Map(rows.map((r) => [r.golden_id, r.version]));
}

/** Removes every entry (and vector) of these golden answers for this embedder, in one transaction. */
export function removeGoldenEntries(
  store: VectorStore,
  table: string,
  embedderId: string,
  goldenIds: number[],
): void {
  withContext(store, ({ db }) => {
    const removeOne = db.prepare('SELECT id FROM golden_entries WHERE golden_id = ? AND embedder_id = ?');
    const delEntry = db.prepare('DELETE FROM golden_entries WHERE id = ?');
    const delVec = db.prepare(`DELETE FROM ${table} WHERE entry_id = ?`);
    db.transaction(() => {
      for (const id of goldenIds) {
        for (const { id: entry } of removeOne.all(id, embedderId) as { id: number }[]) {
          delVec.run(BigInt(entry));
          delEntry.run(entry);
        }
      }
    })();
  });
}

/** Inserts the entries with their vectors, in one transaction. */
export function insertGoldenEntries(
  store: VectorStore,
  table: string,
  embedderId: string,
  dim: number,
  entries: GoldenEntryInput[],
): void {
  withContext(store, ({ db }) => {
    const insEntry = db.prepare(
      'INSERT INTO golden_entries (golden_id, embedder_id, dim, text, version) VALUES (?, ?, ?, ?, ?)',
    );
    const insVec = db.prepare(
      `INSERT INTO ${table} (entry_id, embedder_id, embedding) VALUES (?, ?, vec_f32(?))`,
    );
    db.transaction(() => {
      for (const e of entries) {
        const info = insEntry.run(e.goldenId, embedderId, dim, e.text, e.version);
        insVec.run(BigInt(info.lastInsertRowid), embedderId, blob(e.embedding));
      }
    })();
  });
}

/** Every entry of this embedder with its vector, in entry order. */
export function goldenVectorRows(store: VectorStore, table: string, embedderId: string): GoldenVectorRow[] {
  return withContext(
    store,
    ({ db }) =>
      db
        .prepare(
          `SELECT e.golden_id, e.text, v.embedding FROM golden_entries e JOIN ${table} v ON v.entry_id = e.id
            WHERE e.embedder_id = ? ORDER BY e.id`,
        )
        .all(embedderId) as GoldenVectorRow[],
  );
}
