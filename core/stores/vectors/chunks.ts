/** Reading chunks and their stored vectors back. */
import { blobToF32 } from './quantize.ts';
import { assertId, type StoreContext } from './context.ts';
import type { ChunkExportRow, ChunkRow } from './types.ts';

interface ChunkDbRow {
  id: number;
  collection_id: number;
  document_id: number;
  ordinal: number;
  text: string;
  heading_path: string;
  page: number | null;
  char_start: number | null;
  char_end: number | null;
  token_count: number | null;
}

const CHUNK_COLUMNS =
  'id, collection_id, document_id, ordinal, text, heading_path, page, char_start, char_end, token_count';

function parseHeadingPath(s: string): string[] {
  if (!s) return [];
  try {
    const v: unknown = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}

function toRow(r: ChunkDbRow): ChunkRow {
  return {
    id: r.id,
    collectionId: r.collection_id,
    documentId: r.document_id,
    ordinal: r.ordinal,
    text: r.text,
    headingPath: parseHeadingPath(r.heading_path),
    page: r.page,
    charStart: r.char_start ?? 0,
    charEnd: r.char_end ?? 0,
    tokenCount: r.token_count ?? 0,
  };
}

export function countChunks({ stmt }: StoreContext, collectionId?: number): number {
  if (collectionId === undefined) {
    return (stmt('SELECT count(*) AS n FROM chunks').get() as { n: number }).n;
  }
  assertId('collectionId', collectionId);
  return (stmt('SELECT count(*) AS n FROM chunks WHERE collection_id = ?').get(collectionId) as { n: number })
    .n;
}

export function documentIds({ stmt }: StoreContext, collectionId?: number): number[] {
  if (collectionId === undefined) {
    return stmt('SELECT DISTINCT document_id FROM chunks ORDER BY document_id').pluck().all() as number[];
  }
  assertId('collectionId', collectionId);
  return stmt('SELECT DISTINCT document_id FROM chunks WHERE collection_id = ? ORDER BY document_id')
    .pluck()
    .all(collectionId) as number[];
}

export function hasChunk({ stmt }: StoreContext, id: number): boolean {
  return stmt('SELECT 1 FROM chunks WHERE id = ?').pluck().get(id) !== undefined;
}

export function getChunks({ stmt }: StoreContext, ids: number[]): ChunkRow[] {
  if (ids.length === 0) return [];
  for (const id of ids) assertId('chunk id', id);
  const rows = stmt(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE id IN (SELECT value FROM json_each(?))`).all(
    JSON.stringify(ids),
  ) as ChunkDbRow[];
  const byId = new Map(rows.map((r) => [r.id, toRow(r)]));
  const out: ChunkRow[] = [];
  for (const id of ids) {
    const r = byId.get(id);
    if (r) out.push(r);
  }
  return out;
}

export function documentChunks({ stmt }: StoreContext, documentId: number): ChunkRow[] {
  assertId('documentId', documentId);
  const rows = stmt(`SELECT ${CHUNK_COLUMNS} FROM chunks WHERE document_id = ? ORDER BY ordinal`).all(
    documentId,
  ) as ChunkDbRow[];
  return rows.map(toRow);
}

export function documentsOfChunks({ stmt }: StoreContext, ids: number[]): Map<number, number> {
  if (ids.length === 0) return new Map();
  const rows = stmt('SELECT id, document_id FROM chunks WHERE id IN (SELECT value FROM json_each(?))')
    .raw()
    .all(JSON.stringify(ids)) as [number, number][];
  return new Map(rows);
}

export function* collectionExportRows({ db }: StoreContext, collectionId: number): Generator<ChunkExportRow> {
  // A statement of its own: an iterator keeps it busy until the caller has read every row.
  const rows = db
    .prepare(
      `SELECT ${CHUNK_COLUMNS.replace(/(\w+)/g, 'c.$1')}, v.embedding
       FROM chunks c LEFT JOIN chunk_vectors v ON v.chunk_id = c.id
       WHERE c.collection_id = ? ORDER BY c.document_id, c.ordinal`,
    )
    .iterate(collectionId) as IterableIterator<ChunkDbRow & { embedding: Buffer | null }>;
  for (const r of rows) yield { ...toRow(r), embedding: r.embedding };
}

export function getVectors({ stmt }: StoreContext, ids: number[]): Map<number, Float32Array> {
  const out = new Map<number, Float32Array>();
  if (ids.length === 0) return out;
  for (const id of ids) assertId('chunk id', id);
  const rows = stmt(
    'SELECT chunk_id, embedding FROM chunk_vectors WHERE chunk_id IN (SELECT value FROM json_each(?))',
  )
    .raw()
    .all(JSON.stringify(ids)) as [number, Buffer][];
  for (const [id, blob] of rows) out.set(id, blobToF32(blob));
  return out;
}
