import { loadMigrations } from '../../core/stores/pg/migrations.ts';
import type { Engine } from '../../core/engine/engine.ts';
import { SCHEMA_VERSION, vecTableName } from '../../core/stores/vectors/schema.ts';
import { rawHandleForTests } from '../../core/stores/vectors/store.ts';

export interface InvariantExpectations {
  /** golden_answers rows that must still be there (a fault must never lose approved answers). */
  goldenAnswers?: number;
}

/**
 * What must hold between the two stores after any crash, once the engine has reopened (the
 * reconciler ran). Returns every violation found, so a failing test shows all of them at once;
 * an empty list means the data dir is consistent.
 */
export async function checkInvariants(engine: Engine, expect: InvariantExpectations = {}): Promise<string[]> {
  const problems: string[] = [];
  const sqlite = rawHandleForTests(engine.vectors);
  const all = <T>(sql: string, ...params: unknown[]) => sqlite.prepare(sql).all(...params) as T[];
  const one = <T>(sql: string) => sqlite.prepare(sql).get() as T;

  // SQLite file itself.
  const integrity = all<{ integrity_check: string }>('PRAGMA integrity_check');
  if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok')
    problems.push(`collections.db integrity_check: ${integrity.map((r) => r.integrity_check).join('; ')}`);
  try {
    sqlite.prepare("INSERT INTO chunks_fts (chunks_fts) VALUES ('integrity-check')").run();
  } catch (err) {
    problems.push(`FTS index does not match the chunks table: ${(err as Error).message}`);
  }
  const version = sqlite.pragma('user_version', { simple: true }) as number;
  if (version !== SCHEMA_VERSION) problems.push(`collections.db user_version ${version} ≠ ${SCHEMA_VERSION}`);

  // PG documents against SQLite chunks.
  const docs = await engine.db.query<{
    id: number;
    collection_id: number;
    status: string;
    chunk_count: number;
  }>('SELECT id, collection_id, status, chunk_count FROM documents');
  const byId = new Map(docs.map((d) => [Number(d.id), d]));
  const perDoc = all<{ document_id: number; collection_id: number; n: number }>(
    'SELECT document_id, collection_id, count(*) AS n FROM chunks GROUP BY document_id, collection_id',
  );
  const seen = new Set<number>();
  for (const row of perDoc) {
    const doc = byId.get(row.document_id);
    if (seen.has(row.document_id)) problems.push(`document ${row.document_id} has chunks in two collections`);
    seen.add(row.document_id);
    if (!doc) problems.push(`${row.n} orphan chunks of document ${row.document_id}, unknown to Postgres`);
    else if (doc.status !== 'indexed')
      problems.push(`document ${row.document_id} is '${doc.status}' but has ${row.n} chunks`);
    else if (Number(doc.collection_id) !== row.collection_id)
      problems.push(
        `chunks of document ${row.document_id} sit in collection ${row.collection_id}, not ${doc.collection_id}`,
      );
    else if (Number(doc.chunk_count) !== row.n)
      problems.push(
        `document ${row.document_id} records ${doc.chunk_count} chunks, collections.db has ${row.n}`,
      );
  }
  for (const d of docs) {
    if (d.status === 'indexed' && Number(d.chunk_count) > 0 && !seen.has(Number(d.id)))
      problems.push(`indexed document ${d.id} has no chunks`);
  }
  const dupes = one<{ n: number }>(
    'SELECT count(*) AS n FROM (SELECT 1 FROM chunks GROUP BY document_id, ordinal HAVING count(*) > 1)',
  ).n;
  if (dupes) problems.push(`${dupes} duplicate (document_id, ordinal) chunks`);

  // Derived indexes: one FTS row, one float vector and one bit vector per chunk.
  const chunks = one<{ n: number }>('SELECT count(*) AS n FROM chunks').n;
  const ftsRows = one<{ n: number }>('SELECT count(*) AS n FROM chunks_fts_docsize').n;
  if (ftsRows !== chunks) problems.push(`FTS has ${ftsRows} rows for ${chunks} chunks`);
  const vectors = one<{ n: number }>('SELECT count(*) AS n FROM chunk_vectors').n;
  if (vectors !== chunks) problems.push(`${vectors} float vectors for ${chunks} chunks`);

  const pgCollections = await engine.db.query<{ id: number; embedding_dim: number }>(
    'SELECT id, embedding_dim FROM collections',
  );
  const pgDim = new Map(pgCollections.map((c) => [Number(c.id), Number(c.embedding_dim)]));
  const dims = all<{ collection_id: number; dim: number }>('SELECT collection_id, dim FROM collection_dims');
  for (const { collection_id: id, dim } of dims) {
    if (!pgDim.has(id)) problems.push(`collections.db has collection ${id}, unknown to Postgres`);
    else if (pgDim.get(id) !== dim)
      problems.push(`collection ${id}: Postgres says ${pgDim.get(id)} dimensions, collections.db ${dim}`);
    const inCollection = one<{ n: number }>(`SELECT count(*) AS n FROM chunks WHERE collection_id = ${id}`).n;
    const bits = (
      sqlite
        .prepare(`SELECT count(*) AS n FROM ${vecTableName(dim)} WHERE collection_id = ?`)
        .get(BigInt(id)) as {
        n: number;
      }
    ).n;
    if (bits !== inCollection)
      problems.push(`collection ${id}: ${bits} bit vectors for ${inCollection} chunks`);
    const wrongSize = one<{ n: number }>(
      `SELECT count(*) AS n FROM chunk_vectors v JOIN chunks c ON c.id = v.chunk_id
       WHERE c.collection_id = ${id} AND length(v.embedding) <> ${dim * 4}`,
    ).n;
    if (wrongSize) problems.push(`collection ${id}: ${wrongSize} float vectors are not ${dim}-dimensional`);
  }
  const unregistered = one<{ n: number }>(
    'SELECT count(*) AS n FROM chunks WHERE collection_id NOT IN (SELECT collection_id FROM collection_dims)',
  ).n;
  if (unregistered) problems.push(`${unregistered} chunks in collections without a registered dimension`);

  // Postgres schema ledger: exactly the migrations this code ships, unedited.
  const ledger = await engine.db.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  const shipped = loadMigrations();
  const ledgerText = ledger.map((r) => `${r.version}:${r.checksum}`).join(',');
  const shippedText = shipped.map((m) => `${m.version}:${m.checksum}`).join(',');
  if (ledgerText !== shippedText) problems.push('schema_migrations does not match the shipped migrations');

  if (expect.goldenAnswers !== undefined) {
    const [g] = await engine.db.query<{ n: number }>('SELECT count(*)::int AS n FROM golden_answers');
    if (g!.n !== expect.goldenAnswers)
      problems.push(`${g!.n} golden answers, expected ${expect.goldenAnswers}`);
  }
  return problems;
}

/** Adds one approved golden answer (the invariants then check that no fault loses it). */
export async function addGoldenAnswer(engine: Engine, question: string): Promise<void> {
  await engine.db.query(
    `INSERT INTO golden_answers (query_hash, canonical_question, answer, generated_by, review_status)
     VALUES (md5($1), $1, 'A reviewed answer.', 'user', 'approved')`,
    [question],
  );
}

/** Chunk texts by source file: what a rebuild of collections.db must give back. */
export async function chunksByFile(engine: Engine): Promise<Record<string, string[]>> {
  const docs = await engine.db.query<{ id: number; source_path: string }>(
    "SELECT id, source_path FROM documents WHERE status = 'indexed' ORDER BY source_path",
  );
  return Object.fromEntries(
    docs.map((d) => [d.source_path, engine.vectors.documentChunks(Number(d.id)).map((c) => c.text)]),
  );
}
