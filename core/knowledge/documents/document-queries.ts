import type { DocumentInfo, DocumentRef, EmailInfo } from '../../contract/methods/documents.ts';
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
  metadata: {
    warnings?: string[];
    author?: unknown;
    email?: unknown;
    parent?: unknown;
    container?: unknown;
    alsoIn?: unknown;
  };
  content_hash: string;
  imported_at: Date | null;
  updated_at: Date;
  ocr_pages: number[];
  ocr_low_confidence_pages: number[];
  ocr_confidence: number | null;
}

const COLUMNS = `id, collection_id, source_path, title, file_type, mime, tags, size_bytes, page_count, chunk_count,
  status, error, metadata, content_hash, imported_at, updated_at, ocr_pages, ocr_low_confidence_pages, ocr_confidence`;

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
    email: emailInfo(r.metadata?.email, r.metadata?.alsoIn),
    partOf: typeof r.metadata?.parent === 'string' ? r.metadata.parent : null,
    container: typeof r.metadata?.container === 'string' ? r.metadata.container : null,
    ocr: r.ocr_pages?.length
      ? {
          pages: r.ocr_pages,
          lowConfidencePages: r.ocr_low_confidence_pages ?? [],
          confidence: r.ocr_confidence === null ? null : Number(r.ocr_confidence),
        }
      : null,
  };
}

/** metadata.email (and metadata.alsoIn) as the contract shapes it (a document written by an older version may lack parts). */
function emailInfo(e: unknown, alsoIn: unknown): EmailInfo | null {
  if (!e || typeof e !== 'object') return null;
  const m = e as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  const list = <T>(v: unknown, ok: (x: unknown) => x is T): T[] => (Array.isArray(v) ? v.filter(ok) : []);
  const isAddress = (x: unknown): x is { name: string; address: string } =>
    !!x && typeof x === 'object' && typeof (x as { address?: unknown }).address === 'string';
  const isString = (x: unknown): x is string => typeof x === 'string';
  return {
    messageId: str(m.messageId),
    threadId: str(m.threadId),
    inReplyTo: str(m.inReplyTo),
    subject: str(m.subject),
    from: list(m.from, isAddress),
    to: list(m.to, isAddress),
    cc: list(m.cc, isAddress),
    date: str(m.date),
    attachments: list(m.attachments, isString),
    notImported: list(
      m.notImported,
      (x): x is { name: string; why: string } =>
        !!x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string',
    ),
    alsoIn: list(alsoIn, (x): x is { path: string } => !!x && typeof x === 'object').map((a) =>
      String(a.path),
    ),
  };
}

export async function listDocuments(
  db: Queryable,
  collectionId: number,
  f: {
    status?: DocumentInfo['status'] | undefined;
    query?: string | undefined;
    thread?: string | undefined;
    limit: number;
    offset: number;
  },
): Promise<{ total: number; items: DocumentInfo[] }> {
  const where = ['collection_id = $1'];
  const params: unknown[] = [collectionId];
  let order = 'source_path';
  if (f.thread) {
    params.push(f.thread);
    where.push(`metadata ? 'email' AND metadata->'email'->>'threadId' = $${params.length}`);
    order = `metadata->'email'->>'date' NULLS LAST, source_path`;
  }
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
    `SELECT ${COLUMNS} FROM documents WHERE ${clause} ORDER BY ${order} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
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

const REF_COLUMNS = `id, title, source_path, file_type, status, error,
  metadata->'email'->'from'->0 AS from_address, metadata->'email'->>'date' AS date`;

interface RefRow {
  id: number;
  title: string | null;
  source_path: string;
  file_type: string | null;
  status: DocumentInfo['status'];
  error: string | null;
  from_address: { name?: string; address?: string } | null;
  date: string | null;
}

function toRef(r: RefRow): DocumentRef {
  const a = r.from_address;
  const from = a ? (a.name && a.address ? `${a.name} <${a.address}>` : a.name || a.address || null) : null;
  return {
    id: Number(r.id),
    title: r.title,
    sourcePath: r.source_path,
    fileType: r.file_type,
    status: r.status,
    error: r.error,
    from,
    date: r.date,
  };
}

/**
 * How a document relates to others: the one it sits in, the ones inside it (a message's
 * attachments, a mailbox's messages: the first 500, in order) and, for a message, its thread.
 */
export async function documentRelations(
  db: Queryable,
  doc: DocumentInfo,
): Promise<{
  parent: DocumentRef | null;
  members: { total: number; items: DocumentRef[] };
  thread: DocumentRef[];
}> {
  const [parent] = doc.partOf
    ? await db.query<RefRow>(
        `SELECT ${REF_COLUMNS} FROM documents WHERE collection_id = $1 AND source_path = $2`,
        [doc.collectionId, doc.partOf],
      )
    : [];
  const inside = `collection_id = $1 AND metadata ? 'parent' AND metadata->>'parent' = $2`;
  const [count] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM documents WHERE ${inside}`, [
    doc.collectionId,
    doc.sourcePath,
  ]);
  const members = await db.query<RefRow>(
    `SELECT ${REF_COLUMNS} FROM documents WHERE ${inside}
      ORDER BY metadata->'email'->>'date' NULLS LAST, id LIMIT 500`,
    [doc.collectionId, doc.sourcePath],
  );
  const threadId = doc.email?.threadId;
  const thread = threadId
    ? await db.query<RefRow>(
        `SELECT ${REF_COLUMNS} FROM documents
          WHERE collection_id = $1 AND metadata ? 'email' AND metadata->'email'->>'threadId' = $2
          ORDER BY metadata->'email'->>'date' NULLS LAST, source_path LIMIT 500`,
        [doc.collectionId, threadId],
      )
    : [];
  return {
    parent: parent ? toRef(parent) : null,
    members: { total: count!.n, items: members.map(toRef) },
    thread: thread.map(toRef),
  };
}
