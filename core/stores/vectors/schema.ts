/**
 * Versioned schema of collections.db (derived data: chunks, float vectors, binary vectors, FTS5).
 *
 * The version lives in `PRAGMA user_version`. MIGRATIONS[i] upgrades a database from version i to
 * i + 1 and runs inside a transaction together with the user_version bump. Never edit a shipped
 * migration: append a new one.
 *
 * Per-dimension vec0 tables (`vec_bits_<dim>`) and their delete triggers are not part of the
 * migrations: they are created on demand by `ensureVecTable` when a collection with a new embedding
 * dimension appears.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { PustakaError } from '../../base/errors.ts';

type Db = BetterSqlite3.Database;
export type Migration = (db: Db) => void;

/** The keyword index's tokenizer, as migration 4 → 5 made it: words stemmed, diacritics folded. */
export const FTS_TOKENIZER = 'porter unicode61 remove_diacritics 2';

export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: base tables
  (db) => {
    db.exec(`
      CREATE TABLE chunks (
        -- AUTOINCREMENT: ids are never reused, so a citation stored elsewhere can never point at a
        -- different chunk after its document was re-imported.
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_id INTEGER NOT NULL,
        document_id   INTEGER NOT NULL,
        ordinal       INTEGER NOT NULL,
        text          TEXT    NOT NULL,
        heading_path  TEXT    NOT NULL DEFAULT '',
        page          INTEGER,
        char_start    INTEGER,
        char_end      INTEGER,
        token_count   INTEGER,
        UNIQUE (document_id, ordinal)
      );
      CREATE INDEX chunks_collection_document ON chunks (collection_id, document_id);

      CREATE TABLE chunk_vectors (
        chunk_id  INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
        embedding BLOB NOT NULL
      );

      CREATE TABLE collection_dims (
        collection_id INTEGER PRIMARY KEY,
        dim           INTEGER NOT NULL CHECK (dim > 0 AND dim % 8 = 0)
      );

      CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        text, heading_path,
        content = 'chunks', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER chunks_fts_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts (rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
      END;
      CREATE TRIGGER chunks_fts_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path)
          VALUES ('delete', old.id, old.text, old.heading_path);
      END;
      CREATE TRIGGER chunks_fts_au AFTER UPDATE OF text, heading_path ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path)
          VALUES ('delete', old.id, old.text, old.heading_path);
        INSERT INTO chunks_fts (rowid, text, heading_path) VALUES (new.id, new.text, new.heading_path);
      END;
    `);
  },
  // 1 → 2: re-embedding a collection with another embedder stages the new vectors beside the old
  // ones (search keeps working, a crash resumes) and records which embedder made each collection.
  (db) => {
    db.exec(`
      CREATE TABLE reembed_staging (
        chunk_id      INTEGER PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
        collection_id INTEGER NOT NULL,
        embedding     BLOB NOT NULL
      );
      CREATE INDEX reembed_staging_collection ON reembed_staging (collection_id);
      ALTER TABLE collection_dims ADD COLUMN embedder_id TEXT;
    `);
  },
  // 2 → 3: the semantic index of approved golden answers (derived from PG like the chunks): one
  // entry per canonical question or variation and embedder; vectors in golden_vec_<dim>.
  (db) => {
    db.exec(`
      CREATE TABLE golden_entries (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        golden_id   INTEGER NOT NULL,
        embedder_id TEXT    NOT NULL,
        dim         INTEGER NOT NULL,
        text        TEXT    NOT NULL,
        -- hash of the golden answer's questions when embedded: a change re-embeds them
        version     TEXT    NOT NULL
      );
      CREATE INDEX golden_entries_golden ON golden_entries (golden_id, embedder_id);
      CREATE INDEX golden_entries_embedder ON golden_entries (embedder_id);
    `);
  },
  // 3 → 4: a large document is written in parts, each in a short transaction, into staging tables
  // that no search reads (no FTS, no vec0); one last transaction moves a complete version into
  // `chunks` (see write.ts). Each import of a document stages under its own id, so two imports of
  // one document never mix their parts; what a crash left staged is dropped at start-up.
  (db) => {
    db.exec(`
      CREATE TABLE staged_documents (
        -- random, not sequential: an import that held an id in a file since replaced (damage
        -- repair) must find it gone, never another import's staging in the new file
        id            INTEGER PRIMARY KEY,
        collection_id INTEGER NOT NULL,
        document_id   INTEGER NOT NULL
      );
      CREATE TABLE staged_chunks (
        stage_id      INTEGER NOT NULL REFERENCES staged_documents (id) ON DELETE CASCADE,
        ordinal       INTEGER NOT NULL,
        text          TEXT    NOT NULL,
        heading_path  TEXT    NOT NULL DEFAULT '',
        page          INTEGER,
        char_start    INTEGER,
        char_end      INTEGER,
        token_count   INTEGER,
        -- normalized float32, as in chunk_vectors
        embedding     BLOB    NOT NULL,
        PRIMARY KEY (stage_id, ordinal)
      );
    `);
  },
  // 4 → 5: the document's title in the keyword index, as a field of its own beside the text and
  // the heading path (each weighted in bm25, see keyword.ts), and words stemmed (porter) so that
  // "upgrades" finds "upgrade". The FTS table is rebuilt from the chunks; the titles of documents
  // indexed before live in Postgres and are filled in at the next start (titles_pending, see
  // reconcile.ts), until then their chunks are found by text and headings as before.
  (db) => {
    db.exec(`
      ALTER TABLE chunks ADD COLUMN title TEXT NOT NULL DEFAULT '';
      DROP TRIGGER chunks_fts_ai;
      DROP TRIGGER chunks_fts_ad;
      DROP TRIGGER chunks_fts_au;
      DROP TABLE chunks_fts;
      CREATE VIRTUAL TABLE chunks_fts USING fts5 (
        text, heading_path, title,
        content = 'chunks', content_rowid = 'id',
        tokenize = 'porter unicode61 remove_diacritics 2'
      );
      CREATE TRIGGER chunks_fts_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts (rowid, text, heading_path, title)
          VALUES (new.id, new.text, new.heading_path, new.title);
      END;
      CREATE TRIGGER chunks_fts_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path, title)
          VALUES ('delete', old.id, old.text, old.heading_path, old.title);
      END;
      CREATE TRIGGER chunks_fts_au AFTER UPDATE OF text, heading_path, title ON chunks BEGIN
        INSERT INTO chunks_fts (chunks_fts, rowid, text, heading_path, title)
          VALUES ('delete', old.id, old.text, old.heading_path, old.title);
        INSERT INTO chunks_fts (rowid, text, heading_path, title)
          VALUES (new.id, new.text, new.heading_path, new.title);
      END;
      INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild');
      -- documents whose chunks still lack their title (known to Postgres, not to this file)
      CREATE TABLE titles_pending (document_id INTEGER PRIMARY KEY);
      INSERT INTO titles_pending SELECT DISTINCT document_id FROM chunks;
    `);
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** sqlite-vec's maximum vector dimension. */
export const MAX_DIM = 8192;

export function readSchemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` up to SCHEMA_VERSION. Throws (without touching the file) when the file was written by
 * a newer version of the code.
 */
export function migrate(db: Db): void {
  const current = readSchemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new PustakaError(
      'schema_too_new',
      `collections.db was written by a newer Pustaka (schema ${current} > ${SCHEMA_VERSION}). Update the app (your data is untouched).`,
      { store: 'collections.db', version: current, known: SCHEMA_VERSION },
    );
  }
  for (let v = current; v < SCHEMA_VERSION; v++) {
    const step = MIGRATIONS[v]!;
    db.transaction(() => {
      step(db);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export function assertValidDim(dim: number): void {
  if (!Number.isSafeInteger(dim) || dim <= 0 || dim > MAX_DIM || dim % 8 !== 0) {
    throw new RangeError(
      `embedding dimension must be a positive multiple of 8 up to ${MAX_DIM} (binary quantization), got ${dim}`,
    );
  }
}

export function vecTableName(dim: number): string {
  assertValidDim(dim);
  return `vec_bits_${dim}`;
}

/**
 * Creates the coarse-pass vec0 table for `dim` and a trigger that removes its rows when chunks of a
 * collection registered with that dimension are deleted. Idempotent.
 */
export function ensureVecTable(db: Db, dim: number): void {
  const table = vecTableName(dim);
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS ${table} USING vec0 (
      chunk_id INTEGER PRIMARY KEY,
      collection_id INTEGER PARTITION KEY,
      bits bit[${dim}]
    );
    CREATE TRIGGER IF NOT EXISTS ${table}_ad AFTER DELETE ON chunks
    WHEN (SELECT dim FROM collection_dims WHERE collection_id = old.collection_id) = ${dim}
    BEGIN
      DELETE FROM ${table} WHERE chunk_id = old.id;
    END;
  `);
}
