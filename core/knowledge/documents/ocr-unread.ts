import type { Queryable } from '../../stores/pg/pg-store.ts';

/**
 * The files of the collection holding pages OCR left unread (metadata.ocrUnread: OCR was off, a
 * page ran over its time budget or failed). With OCR on, an import reads such a file again even
 * when it has not changed: turning OCR on must not leave its scanned pages unread.
 */
export async function pathsWithOcrUnread(db: Queryable, collectionId: number): Promise<Set<string>> {
  const rows = await db.query<{ source_path: string }>(
    `SELECT source_path FROM documents
     WHERE collection_id = $1 AND status = 'indexed' AND jsonb_array_length(coalesce(metadata->'ocrUnread', '[]')) > 0`,
    [collectionId],
  );
  return new Set(rows.map((r) => r.source_path));
}

/**
 * Marks a picture found in a folder as holding no readable text (a photo): it stays a failed
 * document, and the next import passes it over unread while it is unchanged (an indexed version
 * drops the mark: 'noReadableText' is one of FACT_KEYS).
 */
export async function markNoReadableText(db: Queryable, id: number): Promise<void> {
  await db.query(
    `UPDATE documents SET metadata = metadata || '{"noReadableText": true}'::jsonb WHERE id = $1`,
    [id],
  );
}

/** The content hash of each picture of the collection marked by markNoReadableText, by path. */
export async function picturesWithNoReadableText(
  db: Queryable,
  collectionId: number,
): Promise<Map<string, string>> {
  const rows = await db.query<{ source_path: string; content_hash: string }>(
    `SELECT source_path, content_hash FROM documents
     WHERE collection_id = $1 AND status = 'failed' AND (metadata->>'noReadableText')::boolean`,
    [collectionId],
  );
  return new Map(rows.map((r) => [r.source_path, r.content_hash]));
}
