import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import Database from 'better-sqlite3';
import type { BackupKind, BackupManifest } from '../../contract/methods/backup.ts';
import { APP_INFO } from '../../base/app-info.ts';
import { packageVersion } from '../../stores/pg/versions.ts';
import type { Engine } from '../../engine/engine.ts';
import { sha256File } from '../../base/hash-file.ts';
import { MEMBERS } from './manifest.ts';

/**
 * A consistent snapshot of both stores, taken while the app is in use, into `dir`:
 *
 * - PGlite: `dumpDataDir()` tars the cluster's files inside PGlite while no statement runs. We call
 *   it inside a read-only transaction, which holds PGlite's transaction lock: no other statement
 *   can commit between counting the rows and dumping, so the counts in the manifest are exactly
 *   the dump's. The files are a crash-consistent image (WAL is written before the data pages it
 *   covers), which Postgres opens with a normal crash recovery. A logical dump would also be
 *   consistent, but PGlite 0.5 ships no pg_dump, and a physical image restores every table,
 *   sequence and index exactly, in one second instead of a replay of SQL.
 * - SQLite: the online backup API (`db.backup()`), on the engine's own connection: writes made
 *   through it during the copy are carried into the copy, so it is a consistent state too.
 *
 * Order matters: PG first, then SQLite. An import writes chunks to SQLite before PG marks the
 * document indexed, so the SQLite copy is never older than PG's view; chunks PG does not vouch
 * for are dropped by the start-up reconciler after a restore, as after a crash.
 */
export async function takeSnapshot(
  engine: Engine,
  dir: string,
  kind: BackupKind,
  signal?: AbortSignal,
): Promise<BackupManifest> {
  fs.mkdirSync(dir, { recursive: true });
  const pgTar = path.join(dir, MEMBERS.pg);
  const sqliteCopy = path.join(dir, MEMBERS.sqlite);

  const pg = engine.db.pg;
  const snap = await pg.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION READ ONLY');
    const tables = await countTables(tx);
    const collections = (
      await tx.query<{ id: number; name: string; documents: number }>(
        `SELECT c.id, c.name, count(d.id) FILTER (WHERE d.status <> 'deleted')::int AS documents
         FROM collections c LEFT JOIN documents d ON d.collection_id = c.id GROUP BY c.id ORDER BY c.id`,
      )
    ).rows;
    const models = (
      await tx.query<{ name: string; kind: string; sha256: string; size_bytes: number }>(
        'SELECT name, kind, sha256, size_bytes FROM models ORDER BY id',
      )
    ).rows;
    const pgVersion = (await tx.query<{ server_version: string }>('SHOW server_version')).rows[0]!
      .server_version;
    const dump = await pg.dumpDataDir('none');
    return { tables, collections, models, pgVersion, dump };
  });
  signal?.throwIfAborted();
  await pipeline(
    Readable.fromWeb(snap.dump.stream() as WebReadableStream<Uint8Array>),
    fs.createWriteStream(pgTar),
    {
      ...(signal ? { signal } : {}),
    },
  );

  await engine.vectors.backup(sqliteCopy);
  signal?.throwIfAborted();
  const sqlite = summarizeSqliteCopy(sqliteCopy);

  const members = [];
  for (const name of [MEMBERS.pg, MEMBERS.sqlite]) {
    const file = path.join(dir, name);
    const size = fs.statSync(file).size;
    members.push({ name, sizeBytes: size, sha256: await sha256File(file, size, signal) });
  }
  const versions = engine.vectors.versions();
  const manifest: BackupManifest = {
    format: 'pustaka-backup',
    formatVersion: 1,
    app: { name: APP_INFO.name, version: APP_INFO.version },
    createdAt: new Date().toISOString(),
    kind,
    schemaVersion: engine.db.schemaVersion,
    sqliteUserVersion: sqlite.userVersion,
    versions: {
      pglite: packageVersion('@electric-sql/pglite'),
      postgres: snap.pgVersion,
      sqlite: versions.sqlite,
      sqliteVec: versions.sqliteVec,
    },
    counts: {
      tables: snap.tables,
      chunks: sqlite.chunks,
      collections: snap.collections.map((c) => ({
        id: Number(c.id),
        name: c.name,
        documents: Number(c.documents),
        chunks: sqlite.perCollection.get(Number(c.id)) ?? 0,
      })),
    },
    models: snap.models.map((m) => ({
      name: m.name,
      kind: m.kind,
      sha256: m.sha256,
      sizeBytes: Number(m.size_bytes),
    })),
    members,
  };
  fs.writeFileSync(path.join(dir, MEMBERS.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

type TxLike = { query<T>(sql: string): Promise<{ rows: T[] }> };

/** Rows per table of the public schema (everything the migrations created). */
export async function countTables(tx: TxLike): Promise<Record<string, number>> {
  const names = (
    await tx.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )
  ).rows.map((r) => r.table_name);
  if (names.length === 0) return {};
  const sql = names
    .map((n) => `SELECT '${n.replace(/'/g, "''")}' AS t, count(*)::int AS n FROM "${n.replace(/"/g, '""')}"`)
    .join(' UNION ALL ');
  const out: Record<string, number> = {};
  for (const r of (await tx.query<{ t: string; n: number }>(sql)).rows) out[r.t] = Number(r.n);
  return out;
}

/**
 * Makes the copy one self-contained file (rollback journal instead of WAL) and counts its chunks.
 * Plain SQLite suffices: the counts read ordinary tables, never the vec0 ones.
 */
export function summarizeSqliteCopy(file: string): {
  userVersion: number;
  chunks: number;
  perCollection: Map<number, number>;
} {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    const userVersion = db.pragma('user_version', { simple: true }) as number;
    const rows = db
      .prepare('SELECT collection_id AS c, count(*) AS n FROM chunks GROUP BY collection_id')
      .all() as {
      c: number;
      n: number;
    }[];
    const perCollection = new Map(rows.map((r) => [r.c, r.n]));
    return { userVersion, chunks: rows.reduce((s, r) => s + r.n, 0), perCollection };
  } finally {
    db.close();
  }
}
