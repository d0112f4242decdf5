// Upgrading a populated data folder written by an older Pustaka: a Postgres cluster migrated only
// up to an earlier migration, and a collections.db at an earlier schema version, must open with
// the current engine, migrate to the latest schema, and keep every row and chunk as it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { openEngine } from '../core/startup/open-engine.ts';
import { loadMigrations } from '../core/stores/pg/migrations.ts';
import { openDb, type Queryable } from '../core/stores/pg/pg-store.ts';
import { loadSqliteVec } from '../core/stores/vectors/extension-path.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS, SCHEMA_VERSION } from '../core/stores/vectors/schema.ts';
import { VISA_GUIDE_MD, writeFile } from './support/files.ts';
import { checkInvariants } from './support/invariants.ts';

const ALL = loadMigrations();
const HASH = 'a'.repeat(64);

/**
 * Representative rows for the tables each migration creates (explicit ids, foreign keys to the
 * rows of earlier migrations), and the tables whose rows are compared after the upgrade.
 */
const SEED: Record<number, { tables: string[]; sql: string }> = {
  1: {
    tables: [
      'profile',
      'clients',
      'projects',
      'conversations',
      'messages',
      'work_sessions',
      'memory_entities',
      'memory_facts',
    ],
    sql: `
      UPDATE profile SET display_name = 'Ibu Sari', locale = 'id', settings = '{"theme": "dark"}';
      INSERT INTO clients (id, name, email, phone, notes) VALUES
        (1, 'PT Maju Jaya', 'info@maju.example', '+62 21 555', 'KITAS for two engineers'),
        (2, 'Budi Santoso', NULL, NULL, 'tax return / NPWP');
      INSERT INTO projects (id, client_id, name, type, status, starts_on, due_on, notes)
        VALUES (1, 1, 'KITAS 2026', 'visa', 'active', '2026-01-05', '2026-03-01', 'sponsor letter sent');
      INSERT INTO conversations (id, title, client_id, project_id) VALUES (1, 'KITAS questions', 1, 1);
      INSERT INTO messages (id, conversation_id, role, content, path, model, tokens_in, tokens_out) VALUES
        (1, 1, 'user', 'Who applies for a KITAS?', NULL, NULL, NULL, NULL),
        (2, 1, 'assistant', 'The sponsor company applies first [1].', 'rag', 'tiny-llama', 120, 14);
      INSERT INTO work_sessions (id, client_id, project_id, conversation_id, started_at, ended_at, description)
        VALUES (1, 1, 1, 1, '2026-01-05 09:00+07', '2026-01-05 10:30+07', 'document check');
      INSERT INTO memory_entities (id, kind, name, normalized_name, client_id)
        VALUES (1, 'company', 'PT Maju Jaya', 'pt maju jaya', 1);
      INSERT INTO memory_facts (id, subject, fact, entity_id, client_id, source_message_id, source_conversation_id)
        VALUES (1, 'PT Maju Jaya', 'sponsors two KITAS applications', 1, 1, 2, 1);`,
  },
  2: {
    tables: ['collections', 'documents', 'import_jobs', 'processing_steps'],
    sql: `
      INSERT INTO collections (id, name, description, embedder_id, embedding_dim)
        VALUES (1, 'Visa', 'visa rules', 'builtin:hash-ngram-v1', 256);
      INSERT INTO documents (id, collection_id, source_path, content_hash, mime, file_type, title, size_bytes, status, error)
        VALUES (1, 1, '/docs/visa/scan.pdf', '${HASH}', 'application/pdf', 'pdf', 'Scan', 1024, 'failed', 'no text layer');
      INSERT INTO import_jobs (id, collection_id, status, started_at, finished_at)
        VALUES (1, 1, 'done', '2026-01-05 09:00Z', '2026-01-05 09:01Z');
      INSERT INTO processing_steps (id, job_id, document_id, step, status, duration_ms)
        VALUES (1, 1, 1, 'extract', 'failed', 42);`,
  },
  3: {
    tables: ['query_clusters', 'golden_answers', 'cultural_knowledge', 'nightly_worker_runs'],
    sql: `
      INSERT INTO query_clusters (id, label, centroid, representative_query)
        VALUES (1, 'kitas sponsor', '{0.5,0.5,0.70710677}', 'who sponsors a kitas');
      INSERT INTO golden_answers (id, query_hash, canonical_question, answer, generated_by, confidence, cluster_id,
                                  collection_ids, review_status)
        VALUES (1, 'h-kitas', 'Who applies for a KITAS?', 'The sponsor company.', 'user', 0.9, 1, '{1}', 'approved');
      INSERT INTO cultural_knowledge (id, topic, content, when_to_use, tone, language)
        VALUES (1, 'Greeting', 'Use Bapak/Ibu with the first name.', 'first contact', 'polite', 'id');
      INSERT INTO nightly_worker_runs (id, trigger, status, finished_at, duration_ms)
        VALUES (1, 'manual', 'done', now(), 1234);`,
  },
  4: {
    tables: ['query_logs', 'performance_metrics', 'audit_logs', 'backups'],
    sql: `
      INSERT INTO query_logs (id, conversation_id, message_id, question, normalized_question, query_hash, path,
                              golden_answer_id, collection_ids, top_score, total_ms)
        VALUES (1, 1, 2, 'Who applies for a KITAS?', 'who applies for a kitas', 'h-kitas', 'golden', 1, '{1}', 0.93, 12);
      INSERT INTO performance_metrics (id, name, value, unit) VALUES (1, 'ask.total', 12.5, 'ms');
      INSERT INTO audit_logs (id, action, target_type, target_id) VALUES (1, 'collection.delete', 'collection', '9');
      INSERT INTO backups (id, path, kind, status, size_bytes, sha256)
        VALUES (1, '/backups/pustaka-20260105-090000-manual.pustaka-backup', 'manual', 'ok', 2048, '${HASH}');`,
  },
  5: {
    tables: ['models', 'active_models'],
    sql: `
      INSERT INTO models (id, name, kind, file_name, path, sha256, size_bytes, architecture, source)
        VALUES (1, 'tiny-chat', 'chat', 'tiny-chat.gguf', '/models/tiny-chat.gguf', '${HASH}', 4096, 'llama', 'imported');
      INSERT INTO active_models (role, model_id) VALUES ('chat', 1);`,
  },
  6: {
    tables: ['question_stats', 'golden_answer_revisions'],
    sql: `
      INSERT INTO question_stats (query_hash, normalized_question, loose_key, question, ask_count, collection_ids, cluster_id)
        VALUES ('h-kitas', 'who applies for a kitas', 'applies kitas', 'Who applies for a KITAS?', 3, '{1}', 1);
      INSERT INTO golden_answer_revisions (id, golden_answer_id, canonical_question, answer, review_status, generated_by, note)
        VALUES (1, 1, 'Who applies for a KITAS?', 'The company.', 'draft', 'user', 'first draft');`,
  },
  7: {
    tables: ['memory_entity_mentions', 'memory_analysis'],
    sql: `
      UPDATE memory_facts SET attribute = 'sponsor of', value = 'two KITAS applications', method = 'user' WHERE id = 1;
      INSERT INTO memory_entity_mentions (entity_id, message_id, conversation_id, surface)
        VALUES (1, 2, 1, 'PT Maju Jaya');
      INSERT INTO memory_analysis (conversation_id, patterns_message_id, patterns_at, facts, entities)
        VALUES (1, 2, '2026-01-05 10:31Z', 1, 1);`,
  },
  8: {
    // OCR: new columns only, on rows of earlier tables (compared with them).
    tables: [],
    sql: `
      UPDATE collections SET ocr = false WHERE id = 1;
      UPDATE documents SET ocr_pages = '{1,2}', ocr_low_confidence_pages = '{2}', ocr_confidence = 71.5
        WHERE id = 1;`,
  },
};

/** Every row of each table, as JSON, in key order (columns a later migration adds are ignored). */
async function snapshot(db: Queryable, tables: string[]): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const t of tables)
    out[t] = (
      await db.query<{ r: Record<string, unknown> }>(`SELECT to_jsonb(t) AS r FROM ${t} t ORDER BY 1::text`)
    ).map((x) => x.r);
  return out;
}

function only(rows: Record<string, unknown>[], like: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r, i) => Object.fromEntries(Object.keys(like[i] ?? {}).map((k) => [k, r[k]])));
}

let root: string;
let bareCluster: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-upgrade-'));
  // One initdb for the file: every older cluster starts as a copy of this bare one.
  bareCluster = path.join(root, 'bare-pg');
  const bare = await openDb({ pgDir: bareCluster, migrations: [], templateDir: null });
  await bare.close();
});

afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('Postgres: a populated cluster from an older Pustaka', () => {
  const earlier = ALL.slice(0, -1).map((m) => m.version);
  it.each(earlier)('migrated only to %i upgrades to the latest and keeps its rows', async (n) => {
    const dataDir = path.join(root, `pg-at-${n}`);
    fs.cpSync(bareCluster, path.join(dataDir, 'pg'), { recursive: true });
    const old = await openDb({
      pgDir: path.join(dataDir, 'pg'),
      migrations: ALL.slice(0, n),
      templateDir: null,
    });
    const tables: string[] = [];
    let before: Awaited<ReturnType<typeof snapshot>>;
    try {
      expect(old.schemaVersion).toBe(n);
      for (let v = 1; v <= n; v++) {
        await old.exec(SEED[v]!.sql);
        tables.push(...SEED[v]!.tables);
      }
      before = await snapshot(old, tables);
    } finally {
      await old.close();
    }
    for (const t of tables.filter((t) => t !== 'profile')) expect(before[t]!.length, t).toBeGreaterThan(0);

    const engine = await openEngine({ dataDir });
    try {
      expect(engine.db.schemaVersion).toBe(ALL.length);
      const ledger = await engine.db.query<{ version: number; checksum: string }>(
        'SELECT version, checksum FROM schema_migrations ORDER BY version',
      );
      expect(ledger.map((r) => [r.version, r.checksum])).toEqual(ALL.map((m) => [m.version, m.checksum]));
      const after = await snapshot(engine.db, tables);
      for (const t of tables) expect(only(after[t]!, before[t]!), t).toEqual(before[t]);
      // The rows are usable through the API, not only present.
      const client = createApiClient((m, p, o) => createDispatcher(engine).call(m, p, o));
      expect((await client.call('clients.list', {})).clients.map((c) => c.name).sort()).toEqual([
        'Budi Santoso',
        'PT Maju Jaya',
      ]);
      if (n >= 2) expect((await client.call('collections.list', {})).map((c) => c.name)).toEqual(['Visa']);
      // Columns added later got their defaults on the old rows.
      if (n >= 3 && n < 6)
        expect(
          await engine.db.query('SELECT pinned, variation_hashes FROM golden_answers WHERE id = 1'),
        ).toEqual([{ pinned: false, variation_hashes: [] }]);
      expect(await engine.db.query('SELECT attribute, value, method FROM memory_facts WHERE id = 1')).toEqual(
        [n < 7 ? { attribute: 'note', value: '', method: 'patterns' } : expect.anything()],
      );
      expect(await checkInvariants(engine)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});

describe('collections.db: a file at an older schema version', () => {
  let source: string;
  let searchBefore: { chunkId: number; title: string | null }[];
  let chunksBefore: unknown;

  beforeAll(async () => {
    source = path.join(root, 'sqlite-source');
    const docs = path.join(root, 'docs');
    writeFile(docs, 'visa/guide.md', VISA_GUIDE_MD);
    const engine = await openEngine({ dataDir: source });
    try {
      const client = createApiClient((m, p, o) => createDispatcher(engine).call(m, p, o));
      await client.call('import.run', { collection: 'Visa', create: true, paths: [path.join(docs, 'visa')] });
      searchBefore = (await client.call('search', { query: 'KITAS sponsor company' })).items.map((i) => ({
        chunkId: i.chunkId,
        title: i.title,
      }));
      chunksBefore = await client.call('documents.chunks', { id: 1 });
    } finally {
      await engine.close();
    }
    expect(searchBefore.length).toBeGreaterThan(0);
  });

  /** The tables, columns and user_version a file built by the first `version` migrations has. */
  function schemaOf(db: Database.Database): unknown {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'vec_bits_%' ORDER BY name",
      )
      .all() as { name: string }[];
    return {
      version: db.pragma('user_version', { simple: true }),
      tables: tables.map((t) => [
        t.name,
        (db.pragma(`table_info(${t.name})`) as { name: string }[]).map((c) => c.name),
      ]),
    };
  }

  function freshSchema(version: number): unknown {
    const db = new Database(':memory:');
    try {
      for (let v = 0; v < version; v++) {
        SQLITE_MIGRATIONS[v]!(db);
        db.pragma(`user_version = ${v + 1}`);
      }
      return schemaOf(db);
    } finally {
      db.close();
    }
  }

  /** Turns the current file back into what version `to` wrote: the later migrations undone. */
  function downgrade(file: string, to: number): void {
    const db = new Database(file);
    loadSqliteVec(db); // the vec0 delete triggers fire on the schema changes
    try {
      db.transaction(() => {
        if (to < 5)
          db.exec(`
            DROP TABLE titles_pending;
            DROP TRIGGER chunks_fts_ai; DROP TRIGGER chunks_fts_ad; DROP TRIGGER chunks_fts_au;
            DROP TABLE chunks_fts;
            ALTER TABLE chunks DROP COLUMN title;
            CREATE VIRTUAL TABLE chunks_fts USING fts5 (
              text, heading_path, content = 'chunks', content_rowid = 'id',
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
            INSERT INTO chunks_fts (chunks_fts) VALUES ('rebuild');
          `);
        if (to < 4) db.exec('DROP TABLE staged_chunks; DROP TABLE staged_documents');
        if (to < 3) db.exec('DROP TABLE golden_entries');
        if (to < 2)
          db.exec('DROP TABLE reembed_staging; ALTER TABLE collection_dims DROP COLUMN embedder_id');
        db.pragma(`user_version = ${to}`);
      })();
      expect(schemaOf(db)).toEqual(freshSchema(to));
    } finally {
      db.close();
    }
  }

  it.each([1, 2, 3, 4])(
    'v%i upgrades to the current version and its chunks are searchable',
    async (version) => {
      expect(SCHEMA_VERSION).toBe(5);
      const dataDir = path.join(root, `sqlite-v${version}`);
      fs.cpSync(source, dataDir, { recursive: true });
      downgrade(path.join(dataDir, 'collections.db'), version);

      const engine = await openEngine({ dataDir });
      try {
        expect(engine.repair.requeuedDocuments).toBe(0);
        // Before schema 5 the keyword index had no titles: every document's come from PG.
        expect(engine.reconcile).toEqual({
          droppedCollections: [],
          orphanDocuments: [],
          missingChunks: [],
          titlesAdded: engine.vectors.documentIds().length,
        });
        expect(await checkInvariants(engine)).toEqual([]); // includes user_version === SCHEMA_VERSION
        const client = createApiClient((m, p, o) => createDispatcher(engine).call(m, p, o));
        for (const mode of ['keyword', 'vector', 'hybrid'] as const) {
          const found = await client.call('search', { query: 'KITAS sponsor company', mode });
          expect(found.items.length, mode).toBeGreaterThan(0);
        }
        const hybrid = await client.call('search', { query: 'KITAS sponsor company' });
        expect(hybrid.items.map((i) => ({ chunkId: i.chunkId, title: i.title }))).toEqual(searchBefore);
        expect(await client.call('documents.chunks', { id: 1 })).toEqual(chunksBefore);
      } finally {
        await engine.close();
      }
      const db = new Database(path.join(dataDir, 'collections.db'), { readonly: true });
      try {
        expect(schemaOf(db)).toEqual(freshSchema(SCHEMA_VERSION));
      } finally {
        db.close();
      }
    },
  );
});
