import type { Db, Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { getDocument } from './document-queries.ts';
import { recordAudit } from '../../stores/audit/audit.ts';
import { PustakaError } from '../../base/errors.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';
import { INSIDE } from './member-documents.ts';

export type DocumentStatus =
  'pending' | 'extracting' | 'chunking' | 'embedding' | 'indexed' | 'failed' | 'deleted';

export interface KnownDocument {
  id: number;
  hash: string;
  status: DocumentStatus;
}

export interface CollectionIndex {
  byPath: Map<string, KnownDocument>;
  /** content hash → path of an indexed document (for dedup). */
  indexedByHash: Map<string, string>;
}

export async function loadCollectionIndex(db: Queryable, collectionId: number): Promise<CollectionIndex> {
  const rows = await db.query<{
    id: number;
    source_path: string;
    content_hash: string;
    status: DocumentStatus;
  }>('SELECT id, source_path, content_hash, status FROM documents WHERE collection_id = $1', [collectionId]);
  const byPath = new Map<string, KnownDocument>();
  const indexedByHash = new Map<string, string>();
  for (const r of rows) {
    byPath.set(r.source_path, { id: Number(r.id), hash: r.content_hash, status: r.status });
    if (r.status === 'indexed') indexedByHash.set(r.content_hash, r.source_path);
  }
  return { byPath, indexedByHash };
}

export interface NewDocument {
  path: string;
  hash: string;
  size: number;
  mtimeMs: number;
}

/**
 * New files get their rows (status `pending`) in one statement before any work, so a crash
 * leaves a visible trace that the next run picks up.
 */
export async function insertPendingDocuments(
  db: Queryable,
  collectionId: number,
  docs: NewDocument[],
  tags: string[],
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let i = 0; i < docs.length; i += 1_000) {
    const batch = docs.slice(i, i + 1_000);
    const rows = await db.query<{ id: number; source_path: string }>(
      `INSERT INTO documents (collection_id, source_path, content_hash, size_bytes, file_mtime, tags, status)
       SELECT $1, r.path, r.hash, r.size, to_timestamp(r.mtime / 1000.0), $3, 'pending'
       FROM jsonb_to_recordset($2::jsonb) AS r(path text, hash text, size bigint, mtime double precision)
       ON CONFLICT (collection_id, source_path) DO UPDATE SET content_hash = EXCLUDED.content_hash
       RETURNING id, source_path`,
      [
        collectionId,
        JSON.stringify(batch.map((d) => ({ path: d.path, hash: d.hash, size: d.size, mtime: d.mtimeMs }))),
        tags,
      ],
    );
    for (const r of rows) ids.set(r.source_path, Number(r.id));
  }
  return ids;
}

export interface StepTiming {
  step: 'extract' | 'chunk' | 'embed' | 'index';
  status: 'done' | 'failed' | 'skipped';
  durationMs: number;
  error?: string;
  details?: Record<string, unknown>;
}

export interface IndexedDocument {
  id: number;
  hash: string;
  size: number;
  mtimeMs: number;
  title: string | null;
  /** Kept in documents.metadata.author; null removes an author a previous version named. */
  author: string | null;
  /**
   * Format-specific facts kept in documents.metadata under their keys (FACT_KEYS: a message's
   * headers under 'email', …); each replaces what the previous version had under its key.
   */
  facts?: Record<string, unknown> | null;
  fileType: string;
  mime: string;
  pageCount: number | null;
  chunkCount: number;
  tags: string[] | null;
  warnings: string[];
  steps: StepTiming[];
  /** Its OCR pages (documents.ocr_*); absent or null: none, and any a previous version had go. */
  ocr?: { pages: number[]; lowConfidencePages: number[]; meanConfidence: number | null } | null;
}

/** The metadata keys a new version replaces (or drops, when it has none of its own). */
export const FACT_KEYS = [
  'author',
  'email',
  'attachment',
  'mailbox',
  'readerStopped',
  'ocrUnread',
  'noReadableText',
  'failReason',
];

export interface FailedDocument {
  id: number;
  /** An indexed document keeps serving its previous version; only the failure is noted. */
  wasIndexed: boolean;
  message: string;
  fileType: string | null;
  steps: StepTiming[];
}

async function recordSteps(
  tx: Queryable,
  jobId: number,
  docs: { id: number; steps: StepTiming[] }[],
): Promise<void> {
  const rows = docs.flatMap((d) =>
    d.steps.map((s) => ({
      document_id: d.id,
      step: s.step,
      status: s.status,
      error: s.error ?? null,
      duration_ms: Math.round(s.durationMs),
      details: s.details ?? {},
    })),
  );
  if (!rows.length) return;
  await tx.query(
    `INSERT INTO processing_steps (job_id, document_id, step, status, attempts, error, duration_ms, details, started_at, finished_at)
     SELECT $1, s.document_id, s.step, s.status, 1, s.error, s.duration_ms, coalesce(s.details, '{}'::jsonb),
            now() - make_interval(secs => s.duration_ms / 1000.0), now()
     FROM jsonb_to_recordset($2::jsonb) AS s(document_id bigint, step text, status text, error text, duration_ms int, details jsonb)
     ON CONFLICT (job_id, document_id, step) DO UPDATE
       SET status = EXCLUDED.status, error = EXCLUDED.error, duration_ms = EXCLUDED.duration_ms,
           details = EXCLUDED.details, attempts = processing_steps.attempts + 1, finished_at = now()`,
    [jobId, JSON.stringify(rows)],
  );
}

/**
 * The last step of documents whose chunks are already in SQLite: PG now vouches for them. Many
 * documents go in one transaction (one fsync), which is what makes thousands of files fast.
 */
export async function commitDocuments(
  db: Db,
  jobId: number,
  indexed: IndexedDocument[],
  failed: FailedDocument[],
): Promise<void> {
  if (!indexed.length && !failed.length) return;
  await db.transaction(async (tx) => {
    if (indexed.length) {
      await tx.query(
        `UPDATE documents d SET status = 'indexed', content_hash = r.hash, size_bytes = r.size,
           file_mtime = to_timestamp(r.mtime / 1000.0), title = r.title, file_type = r.file_type, mime = r.mime,
           page_count = r.page_count, chunk_count = r.chunk_count, tags = coalesce(r.tags, d.tags),
           metadata = (d.metadata - $2::text[]) || jsonb_build_object('warnings', r.warnings)
             || jsonb_strip_nulls(jsonb_build_object('author', r.author)) || coalesce(r.facts, '{}'::jsonb),
           error = NULL, imported_at = now(),
           ocr_pages = coalesce(r.ocr_pages, '{}'), ocr_low_confidence_pages = coalesce(r.ocr_low_pages, '{}'),
           ocr_confidence = r.ocr_confidence
         FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, hash text, size bigint, mtime double precision, title text,
           author text, file_type text, mime text, page_count int, chunk_count int, tags text[], warnings jsonb,
           facts jsonb, ocr_pages int[], ocr_low_pages int[], ocr_confidence real)
         WHERE d.id = r.id`,
        [
          JSON.stringify(
            indexed.map((d) => ({
              id: d.id,
              hash: d.hash,
              size: d.size,
              mtime: d.mtimeMs,
              title: d.title,
              author: d.author,
              file_type: d.fileType,
              mime: d.mime,
              page_count: d.pageCount,
              chunk_count: d.chunkCount,
              tags: d.tags,
              warnings: d.warnings,
              facts: d.facts ?? null,
              ocr_pages: d.ocr?.pages ?? null,
              ocr_low_pages: d.ocr?.lowConfidencePages ?? null,
              ocr_confidence: d.ocr?.meanConfidence ?? null,
            })),
          ),
          FACT_KEYS,
        ],
      );
    }
    if (failed.length) {
      await tx.query(
        `UPDATE documents d SET
           status = CASE WHEN r.was_indexed THEN d.status ELSE 'failed' END,
           error = CASE WHEN r.was_indexed THEN 're-import failed: ' || r.message ELSE r.message END,
           file_type = CASE WHEN r.was_indexed THEN d.file_type ELSE coalesce(r.file_type, d.file_type) END,
           chunk_count = CASE WHEN r.was_indexed THEN d.chunk_count ELSE 0 END
         FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, was_indexed boolean, message text, file_type text)
         WHERE d.id = r.id`,
        [
          JSON.stringify(
            failed.map((f) => ({
              id: f.id,
              was_indexed: f.wasIndexed,
              message: f.message,
              file_type: f.fileType,
            })),
          ),
        ],
      );
    }
    await recordSteps(tx, jobId, [...indexed, ...failed]);
  });
}

export async function updateTags(db: Queryable, id: number, tags: string[]): Promise<void> {
  await db.query('UPDATE documents SET tags = $2 WHERE id = $1 AND tags IS DISTINCT FROM $2', [id, tags]);
}

/**
 * PG first (truth), then the derived chunks; the reconciler mops up if we die in between. The
 * documents inside it go with it (a mailbox's messages, a message's attachments); a file holding a
 * copy of a deleted message that was not indexed for being a duplicate is marked to be read again.
 */
export async function deleteDocument(
  db: Db,
  vectors: VectorStore,
  id: number,
): Promise<{ chunks: number; revisit: string[] }> {
  const members: number[] = [];
  const revisit: string[] = [];
  const deleted = await db.transaction(async (tx) => {
    const [row] = await tx.query<{ collection_id: number; source_path: string; also_in: unknown }>(
      `DELETE FROM documents WHERE id = $1 RETURNING collection_id, source_path, metadata->'alsoIn' AS also_in`,
      [id],
    );
    if (row) {
      const inside = await tx.query<{ id: number; also_in: unknown }>(
        `DELETE FROM documents WHERE collection_id = $1 AND ${INSIDE(2)}
         RETURNING id, metadata->'alsoIn' AS also_in`,
        [row.collection_id, row.source_path],
      );
      members.push(...inside.map((r) => Number(r.id)));
      const containers = [row, ...inside].flatMap((r) => containersOf(r.also_in));
      // Returned too: an import under way may still have their own read queued, which would mark
      // them indexed over this (see takeRevisits in import/members.ts).
      revisit.push(...containers);
      if (containers.length) {
        await tx.query(
          `UPDATE documents SET status = 'pending',
             error = 'holds a message that was indexed from another file, which is gone: import this file again'
           WHERE collection_id = $1 AND source_path = ANY($2::text[]) AND status = 'indexed'`,
          [row.collection_id, containers],
        );
      }
      await recordAudit(tx, {
        action: 'document.delete',
        targetType: 'document',
        targetId: id,
        details: { collectionId: Number(row.collection_id), sourcePath: row.source_path },
      });
    }
    return row;
  });
  if (!deleted) throw new PustakaError('not_found', `no document with id ${id}`, { id });
  let chunks = vectors.deleteDocumentChunks(id);
  for (const m of members) chunks += vectors.deleteDocumentChunks(m);
  return { chunks, revisit: [...new Set(revisit)] };
}

function containersOf(alsoIn: unknown): string[] {
  if (!Array.isArray(alsoIn)) return [];
  return alsoIn
    .map((a) => (a as { container?: unknown }).container)
    .filter((c): c is string => typeof c === 'string');
}

/** Removes a document from Pustaka (never the file) and announces it: searches, answers and golden answers follow. */
export async function removeDocument(
  engine: Engine,
  id: number,
): Promise<{ id: number; sourcePath: string; chunks: number }> {
  const doc = await getDocument(engine.db, id);
  const { chunks } = await deleteDocument(engine.db, engine.vectors, id);
  await engine.events.emit('documents-changed', { collectionIds: [doc.collectionId] });
  return { id: doc.id, sourcePath: doc.sourcePath, chunks };
}
