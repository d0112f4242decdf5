import type { Queryable } from '../../stores/pg/pg-store.ts';

/**
 * Documents inside other files ("members"): the messages of a mailbox, the attachments of a
 * message. Such a row's source_path is its parent's path, '#', and its place there
 * ("/mail/inbox.mbox#CAF3x@mail.gmail.com", "…#attachment/1-report.pdf"); its metadata names
 * `container`, the file on disk that holds it, and `parent`, the source_path of the document it
 * sits in. A member has no file of its own: re-import, remove-missing and the index rebuild go by
 * its container.
 */

export interface KnownMember {
  id: number;
  hash: string;
  /** documents.status ('indexed', 'failed', 'pending', …). */
  status: string;
  error: string | null;
  /** It stopped the reader (a crash or hang) when it was last read; unchanged, it is skipped. */
  stoppedReader: boolean;
}

/** The members of `parent` the collection has, by source_path. */
export async function loadMembers(
  db: Queryable,
  collectionId: number,
  parent: string,
): Promise<Map<string, KnownMember>> {
  const rows = await db.query<{
    id: number;
    source_path: string;
    content_hash: string;
    status: string;
    error: string | null;
    stopped: boolean | null;
  }>(
    `SELECT id, source_path, content_hash, status, error, (metadata->>'readerStopped')::boolean AS stopped
       FROM documents WHERE collection_id = $1 AND metadata ? 'parent' AND metadata->>'parent' = $2`,
    [collectionId, parent],
  );
  return new Map(
    rows.map((r) => [
      r.source_path,
      {
        id: Number(r.id),
        hash: r.content_hash,
        status: r.status,
        error: r.error,
        stoppedReader: r.stopped === true,
      },
    ]),
  );
}

/**
 * The copies are found through documents_message_id_idx first (MATERIALIZED: with `ORDER BY id
 * LIMIT 1` on the table itself the planner walks the primary key instead, reading every row).
 */
export const FIND_INDEXED_MESSAGE = `WITH copies AS MATERIALIZED (
        SELECT id, source_path, status FROM documents
         WHERE collection_id = $1 AND metadata ? 'email' AND (metadata->'email')->>'messageId' = $2)
      SELECT source_path FROM copies WHERE status = 'indexed' AND source_path <> $3 ORDER BY id LIMIT 1`;

/** The thread (metadata.email.threadId) of the message with this Message-ID, where it is indexed. */
export async function findThreadOf(
  db: Queryable,
  collectionId: number,
  messageId: string,
): Promise<string | null> {
  const [row] = await db.query<{ thread: string | null }>(
    `WITH copies AS MATERIALIZED (
        SELECT id, status, metadata->'email'->>'threadId' AS thread FROM documents
         WHERE collection_id = $1 AND metadata ? 'email' AND (metadata->'email')->>'messageId' = $2)
      SELECT thread FROM copies WHERE status = 'indexed' ORDER BY id LIMIT 1`,
    [collectionId, messageId],
  );
  return row?.thread ?? null;
}

/** Where the collection has the message with this Message-ID indexed, other than at `except`. */
export async function findIndexedMessage(
  db: Queryable,
  collectionId: number,
  messageId: string,
  except: string,
): Promise<string | null> {
  const [row] = await db.query<{ source_path: string }>(FIND_INDEXED_MESSAGE, [
    collectionId,
    messageId,
    except,
  ]);
  return row?.source_path ?? null;
}

export interface NewMember {
  path: string;
  parent: string;
  container: string;
  hash: string;
  size: number;
  mtimeMs: number;
}

/** A pending row for a member about to be read (as insertPendingDocuments does for files). */
export async function insertMember(
  db: Queryable,
  collectionId: number,
  m: NewMember,
  tags: string[],
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO documents (collection_id, source_path, content_hash, size_bytes, file_mtime, tags, status, metadata)
     VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), $6, 'pending', jsonb_build_object('parent', $7::text, 'container', $8::text))
     ON CONFLICT (collection_id, source_path) DO UPDATE SET content_hash = EXCLUDED.content_hash,
       metadata = documents.metadata || EXCLUDED.metadata
     RETURNING id`,
    [collectionId, m.path, m.hash, m.size, m.mtimeMs, tags, m.parent, m.container],
  );
  return Number(row!.id);
}

/**
 * Notes on the message at `primary` that the same message is also in `other` (a member of the
 * file `container`), which was not indexed again: both sources are shown, and should the primary
 * go or fail, the container is read again (see deleteDocument). Kept under its own metadata key,
 * so that reading the primary again (which replaces metadata.email) keeps it.
 */
export async function noteAlsoIn(
  db: Queryable,
  collectionId: number,
  primary: string,
  other: { path: string; container: string },
): Promise<void> {
  await db.query(
    `UPDATE documents SET metadata = metadata ||
        jsonb_build_object('alsoIn', coalesce(metadata->'alsoIn', '[]'::jsonb) || jsonb_build_array($3::jsonb))
      WHERE collection_id = $1 AND source_path = $2
        AND NOT coalesce(metadata->'alsoIn', '[]'::jsonb) @> jsonb_build_array($3::jsonb)`,
    [collectionId, primary, JSON.stringify(other)],
  );
}

/**
 * The message at `primary` was not indexed after all (it failed, or stopped the reader): the files
 * holding the copies skipped for it are marked to be read again, and returned (an import under way
 * reads them again itself: see takeRevisits in import/members.ts).
 */
export async function revisitCopiesOf(
  db: Queryable,
  collectionId: number,
  primary: string,
  containers: string[],
): Promise<string[]> {
  const noted = await db.query<{ container: string }>(
    `SELECT DISTINCT a->>'container' AS container
       FROM documents d, jsonb_array_elements(coalesce(d.metadata->'alsoIn', '[]'::jsonb)) a
      WHERE d.collection_id = $1 AND d.source_path = $2 AND a ? 'container'`,
    [collectionId, primary],
  );
  const all = [...new Set([...containers, ...noted.map((r) => r.container)])];
  if (!all.length) return [];
  await db.query(
    `UPDATE documents SET status = 'pending',
       error = 'holds a message whose copy elsewhere could not be indexed: import this file again'
     WHERE collection_id = $1 AND status = 'indexed' AND source_path = ANY($2::text[])`,
    [collectionId, all],
  );
  return all;
}

/**
 * Marks files to be read again whatever their status (an import's own queued commit may have
 * marked them indexed over an earlier mark), returning each one's row as it was before.
 */
export async function markToReadAgain(
  db: Queryable,
  collectionId: number,
  containers: string[],
): Promise<{ id: number; path: string; hash: string; status: string }[]> {
  if (!containers.length) return [];
  const rows = await db.query<{ id: number; source_path: string; content_hash: string; was: string }>(
    `UPDATE documents d SET status = 'pending',
       error = 'holds a message that is not indexed from any other file: import this file again'
       FROM documents o
      WHERE o.id = d.id AND d.collection_id = $1 AND d.source_path = ANY($2::text[])
      RETURNING d.id, d.source_path, d.content_hash, o.status AS was`,
    [collectionId, containers],
  );
  return rows.map((r) => ({ id: Number(r.id), path: r.source_path, hash: r.content_hash, status: r.was }));
}

/**
 * Why a member failed for what it is (its content, its size): read again, unchanged, it fails the
 * same way, so an unchanged file is not read again for it (see UNFINISHED).
 */
export const LASTING_FAILURES = [
  'unsupported',
  'too_large',
  'empty',
  'corrupt',
  'encrypted',
  'zip_bomb',
  'timeout',
  // A photo attached to a message: read again, it would be recognised (seconds each) to no avail.
  'no_readable_text',
];

/**
 * SQL condition: a member not indexed that an import should read again even in an unchanged
 * file: one never read to its end (pending), or one that failed for a passing reason (an
 * embedding error, …); not one that stopped the reader, nor one that failed for what it is.
 */
const UNFINISHED = `metadata ? 'container' AND (status = 'pending'
  OR (status = 'failed' AND NOT coalesce((metadata->>'readerStopped')::boolean, false)
      AND coalesce(metadata->>'failReason', '') <> ALL (ARRAY['${LASTING_FAILURES.join("','")}'])))`;

/** The files (containers) holding members to read again (UNFINISHED): an unchanged one is read. */
export async function containersWithUnfinished(db: Queryable, collectionId: number): Promise<Set<string>> {
  const rows = await db.query<{ container: string }>(
    `SELECT DISTINCT metadata->>'container' AS container FROM documents WHERE collection_id = $1 AND ${UNFINISHED}`,
    [collectionId],
  );
  return new Set(rows.map((r) => r.container));
}

/** The documents in `container` with members to read again (UNFINISHED): their parents' paths. */
export async function parentsWithUnfinished(
  db: Queryable,
  collectionId: number,
  container: string,
): Promise<Set<string>> {
  const rows = await db.query<{ parent: string }>(
    `SELECT DISTINCT metadata->>'parent' AS parent FROM documents
      WHERE collection_id = $1 AND metadata->>'container' = $2 AND ${UNFINISHED}`,
    [collectionId, container],
  );
  return new Set(rows.map((r) => r.parent));
}

/**
 * After the file `container` was read whole: the notes (noteAlsoIn) that a message is also in it,
 * under a path it no longer holds (`held` are those it holds), are dropped.
 */
export async function dropStaleAlsoIn(
  db: Queryable,
  collectionId: number,
  container: string,
  held: string[],
): Promise<void> {
  const stale = `SELECT a FROM jsonb_array_elements(metadata->'alsoIn') a
     WHERE a->>'container' = $2 AND NOT (a->>'path' = ANY($3::text[]))`;
  await db.query(
    `UPDATE documents SET metadata = jsonb_set(metadata, '{alsoIn}', coalesce((
        SELECT jsonb_agg(a) FROM jsonb_array_elements(metadata->'alsoIn') a
         WHERE a->>'container' IS DISTINCT FROM $2 OR a->>'path' = ANY($3::text[])), '[]'::jsonb))
      WHERE collection_id = $1 AND metadata ? 'alsoIn' AND EXISTS (${stale})`,
    [collectionId, container, held],
  );
}

/** Notes why a member failed (see LASTING_FAILURES); a later version indexed drops the note. */
export async function markFailReason(db: Queryable, id: number, reason: string): Promise<void> {
  await db.query(
    `UPDATE documents SET metadata = metadata || jsonb_build_object('failReason', $2::text) WHERE id = $1`,
    [id, reason],
  );
}

/** Marks a member that stopped the reader, so that unchanged it is not read again. */
export async function markStoppedReader(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE documents SET metadata = metadata || '{"readerStopped": true}' WHERE id = $1`, [id]);
}

/** The members of `parent` whose paths are not in `keep` (gone from their container). */
export async function membersNotIn(
  db: Queryable,
  collectionId: number,
  parent: string,
  keep: Set<string>,
): Promise<{ id: number; path: string }[]> {
  const rows = await db.query<{ id: number; source_path: string }>(
    `SELECT id, source_path FROM documents
      WHERE collection_id = $1 AND metadata ? 'parent' AND metadata->>'parent' = $2`,
    [collectionId, parent],
  );
  return rows.filter((r) => !keep.has(r.source_path)).map((r) => ({ id: Number(r.id), path: r.source_path }));
}

/**
 * SQL condition: the row is a member inside the document whose source_path is the parameter
 * `$n` (at any depth: its path starts with that path and '#'), held by the same file: that
 * document itself, or the file that holds it too (a file named "Inbox#old.mbox" is not inside
 * the mailbox "Inbox").
 */
export const INSIDE = (n: number) =>
  `metadata ? 'container' AND starts_with(source_path, $${n} || '#')
   AND (metadata->>'container' = $${n} OR starts_with($${n}, (metadata->>'container') || '#'))`;
