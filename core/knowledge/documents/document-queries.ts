import type { DocumentInfo } from '../../contract/methods/documents.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';

interface DocumentRow {
  id: number;
  collection_id: number;
  source_path: string;
  title: string | null;
  file_type: string | null;
  mime: string | null;
  tags: string[];
  size_bytes: number | null;
  page_count: number | null;
  chunk_count: number;
  status: DocumentInfo['status'];
  error: string | null;
  metadata: { warnings?: string[]; author?: unknown };
  content_hash: string;
  imported_at: Date | null;
  updated_at: Date;
}

const COLUMNS = `id, collection_id, source_path, title, file_type, mime, tags, size_bytes, page_count, chunk_count,
  status, error, metadata, content_hash, imported_at, updated_at`;

function toInfo(r: DocumentRow): DocumentInfo {
  return {
    id: Number(r.id),
    collectionId: Number(r.collection_id),
    sourcePath: r.source_path,
    title: r.title,
    author: typeof r.metadata?.author === 'string' ? r.metadata.author : null,
    fileType: r.file_type,
    mime: r.mime,
    tags: r.tags,
    sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
    pageCount: r.page_count,
    chunkCount: r.chunk_count,
    status: r.status,
    error: r.error,
    warnings: Array.isArray(r.metadata?.warnings) ? r.metadata.warnings : [],
    contentHash: r.content_hash,
    importedAt: r.imported_at ? r.imported_at.toISOString() : null,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function listDocuments(
  db: Queryable,
  collectionId: number,
  f: {
    status?: DocumentInfo['status'] | undefined;
    query?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ total: number; items: DocumentInfo[] }> {
  const where = ['collection_id = $1'];
  const params: unknown[] = [collectionId];
  if (f.status) {
    params.push(f.status);
    where.push(`status = $${params.length}`);
  }
  if (f.query?.trim()) {
    params.push(f.query);
    where.push(`search @@ plainto_tsquery('simple', $${params.length})`);
  }
  const clause = where.join(' AND ');
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM documents WHERE ${clause}`,
    params,
  );
  const rows = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM documents WHERE ${clause} ORDER BY source_path LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, f.limit, f.offset],
  );
  return { total: count!.n, items: rows.map(toInfo) };
}

export async function getDocument(db: Queryable, id: number): Promise<DocumentInfo> {
  const [row] = await db.query<DocumentRow>(`SELECT ${COLUMNS} FROM documents WHERE id = $1`, [id]);
  if (!row) throw new PustakaError('not_found', `no document with id ${id}`, { id });
  return toInfo(row);
}

export async function documentSteps(db: Queryable, id: number) {
  const rows = await db.query<{
    job_id: number;
    step: string;
    status: string;
    duration_ms: number | null;
    error: string | null;
    finished_at: Date | null;
  }>(
    `SELECT job_id, step, status, duration_ms, error, finished_at FROM processing_steps WHERE document_id = $1
     ORDER BY job_id, array_position(ARRAY['extract','chunk','embed','index'], step)`,
    [id],
  );
  return rows.map((r) => ({
    jobId: Number(r.job_id),
    step: r.step,
    status: r.status,
    durationMs: r.duration_ms,
    error: r.error,
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
  }));
}

export function documentChunkPage(vectors: VectorStore, id: number, limit: number, offset: number) {
  const all = vectors.documentChunks(id);
  return {
    total: all.length,
    items: all.slice(offset, offset + limit).map((c) => ({
      id: c.id,
      ordinal: c.ordinal,
      text: c.text,
      headingPath: c.headingPath,
      page: c.page,
      charStart: c.charStart,
      charEnd: c.charEnd,
      tokenCount: c.tokenCount,
    })),
  };
}
