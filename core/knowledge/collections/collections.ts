import type { Collection } from '../../contract/methods/collections.ts';
import { recordAudit } from '../../stores/audit/audit.ts';
import type { Db, Queryable } from '../../stores/pg/pg-store.ts';
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';
import { PustakaError } from '../../base/errors.ts';
import { setCollectionEmbedderId } from '../../stores/vectors/reembed.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';
import type { Engine } from '../../engine/engine.ts';

export type CollectionRef = number | string;

interface CollectionRow {
  id: number;
  name: string;
  description: string | null;
  embedder_id: string;
  embedding_dim: number;
  chunk_size: number;
  chunk_overlap: number;
  ocr: boolean;
  settings: { embedderModel?: string | null };
  document_count: number;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `
SELECT c.id, c.name, c.description, c.embedder_id, c.embedding_dim, c.chunk_size, c.chunk_overlap, c.ocr, c.settings,
       c.created_at, c.updated_at,
       (SELECT count(*)::int FROM documents d WHERE d.collection_id = c.id AND d.status <> 'deleted') AS document_count
FROM collections c`;

function toCollection(row: CollectionRow, vectors: VectorStore): Collection {
  return {
    id: Number(row.id),
    name: row.name,
    description: row.description,
    embedderId: row.embedder_id,
    embedderModel: row.settings?.embedderModel ?? null,
    embeddingDim: row.embedding_dim,
    chunkSize: row.chunk_size,
    chunkOverlap: row.chunk_overlap,
    ocr: row.ocr,
    documentCount: Number(row.document_count),
    chunkCount: vectors.countChunks(Number(row.id)),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

function nameTaken(name: string): PustakaError {
  return new PustakaError('conflict', `a collection named "${name}" already exists`, { name });
}

async function findRow(db: Queryable, ref: CollectionRef): Promise<CollectionRow> {
  const rows =
    typeof ref === 'number'
      ? await db.query<CollectionRow>(`${SELECT} WHERE c.id = $1`, [ref])
      : await db.query<CollectionRow>(`${SELECT} WHERE lower(c.name) = lower($1)`, [ref.trim()]);
  const row = rows[0];
  if (!row) {
    throw new PustakaError(
      'not_found',
      typeof ref === 'number' ? `no collection with id ${ref}` : `no collection named "${ref}"`,
      { collection: ref },
    );
  }
  return row;
}

export async function listCollections(db: Queryable, vectors: VectorStore): Promise<Collection[]> {
  const rows = await db.query<CollectionRow>(`${SELECT} ORDER BY lower(c.name)`);
  return rows.map((r) => toCollection(r, vectors));
}

export async function getCollection(
  db: Queryable,
  vectors: VectorStore,
  ref: CollectionRef,
): Promise<Collection> {
  return toCollection(await findRow(db, ref), vectors);
}

export interface NewCollection {
  name: string;
  description?: string | undefined;
  chunkSize?: number | undefined;
  chunkOverlap?: number | undefined;
  ocr?: boolean | undefined;
}

export async function createCollection(
  db: Db,
  vectors: VectorStore,
  input: NewCollection,
): Promise<Collection> {
  const name = input.name.trim();
  let id: number;
  try {
    const rows = await db.query<{ id: number }>(
      `INSERT INTO collections (name, description, embedder_id, embedding_dim, chunk_size, chunk_overlap, ocr)
       VALUES ($1, $2, $3, $4, coalesce($5, 400), coalesce($6, 60), coalesce($7, true)) RETURNING id`,
      [
        name,
        input.description || null,
        BUILTIN_EMBEDDER.id,
        BUILTIN_EMBEDDER.dim,
        input.chunkSize ?? null,
        input.chunkOverlap ?? null,
        input.ocr ?? null,
      ],
    );
    id = Number(rows[0]!.id);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(name);
    throw err;
  }
  try {
    vectors.ensureCollection(id, BUILTIN_EMBEDDER.dim);
    setCollectionEmbedderId(vectors, id, BUILTIN_EMBEDDER.id);
  } catch (err) {
    await db.query('DELETE FROM collections WHERE id = $1', [id]);
    throw err;
  }
  return getCollection(db, vectors, id);
}

/** Renames a collection; cached searches that resolved the old name go (collections-changed). */
export async function renameCollection(
  engine: Engine,
  ref: CollectionRef,
  newName: string,
): Promise<Collection> {
  const { db, vectors } = engine;
  const row = await findRow(db, ref);
  try {
    await db.query('UPDATE collections SET name = $2 WHERE id = $1', [row.id, newName.trim()]);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(newName.trim());
    throw err;
  }
  await engine.events.emit('collections-changed', { collectionIds: [Number(row.id)] });
  return getCollection(db, vectors, Number(row.id));
}

/**
 * Turns OCR on or off for a collection's imports from now on; what was imported stays as it was
 * read until it is imported again. Audited.
 */
export async function setCollectionOcr(
  engine: Engine,
  ref: CollectionRef,
  ocr: boolean,
): Promise<Collection> {
  const { db, vectors } = engine;
  const row = await findRow(db, ref);
  if (row.ocr !== ocr) {
    await db.transaction(async (tx) => {
      await tx.query('UPDATE collections SET ocr = $2 WHERE id = $1', [row.id, ocr]);
      await recordAudit(tx, {
        action: 'collection.ocr',
        targetType: 'collection',
        targetId: Number(row.id),
        details: { name: row.name, ocr },
      });
    });
  }
  return getCollection(db, vectors, Number(row.id));
}

export interface DeletedCollection {
  id: number;
  name: string;
  documents: number;
  chunks: number;
}

/**
 * PG first (the source of truth), then SQLite: a crash in between leaves only derived orphans,
 * which the start-up reconciler drops.
 */
export async function deleteCollection(engine: Engine, ref: CollectionRef): Promise<DeletedCollection> {
  const { db, vectors } = engine;
  const row = await findRow(db, ref);
  const id = Number(row.id);
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM collections WHERE id = $1', [id]);
    await recordAudit(tx, {
      action: 'collection.delete',
      targetType: 'collection',
      targetId: id,
      details: { name: row.name, documents: Number(row.document_count) },
    });
  });
  const chunks = vectors.dropCollection(id);
  await engine.events.emit('documents-changed', { collectionIds: [id] });
  return { id, name: row.name, documents: Number(row.document_count), chunks };
}
