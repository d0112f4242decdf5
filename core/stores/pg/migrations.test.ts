import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/temp-dir.ts';
import { DEFAULT_MIGRATIONS_DIR, checksumOf, loadMigrations, migrate } from './migrations.ts';

const EXPECTED_TABLES = [
  'profile',
  'conversations',
  'messages',
  'memory_facts',
  'memory_entities',
  'clients',
  'projects',
  'work_sessions',
  'collections',
  'documents',
  'import_jobs',
  'processing_steps',
  'golden_answers',
  'query_clusters',
  'cultural_knowledge',
  'nightly_worker_runs',
  'query_logs',
  'performance_metrics',
  'audit_logs',
  'backups',
  'models',
  'active_models',
  'question_stats',
  'golden_answer_revisions',
  'memory_entity_mentions',
  'memory_analysis',
  'schema_migrations',
];

function copyMigrations(): string {
  const dir = tempDir();
  for (const f of fs.readdirSync(DEFAULT_MIGRATIONS_DIR)) {
    if (f.endsWith('.sql')) fs.copyFileSync(path.join(DEFAULT_MIGRATIONS_DIR, f), path.join(dir, f));
  }
  return dir;
}

async function tables(pg: PGlite): Promise<string[]> {
  const res = await pg.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
  );
  return res.rows.map((r) => r.tablename).sort();
}

describe('migrations', () => {
  it('creates the whole schema on a fresh cluster and records each file with its checksum', async () => {
    const pg = new PGlite();
    const migrations = loadMigrations();
    const res = await migrate(pg, migrations);
    expect(res.applied).toEqual(migrations.map((m) => m.version));
    expect(await tables(pg)).toEqual([...EXPECTED_TABLES].sort());
    const ledger = await pg.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY 1',
    );
    expect(ledger.rows).toEqual(migrations.map((m) => ({ version: m.version, checksum: m.checksum })));
    await pg.close();
  });

  it('is a no-op on an existing, migrated cluster and applies only new files', async () => {
    const dir = copyMigrations();
    const pg = new PGlite();
    await migrate(pg, loadMigrations(dir));
    expect((await migrate(pg, loadMigrations(dir))).applied).toEqual([]);

    const next = loadMigrations(dir).length + 1;
    fs.writeFileSync(
      path.join(dir, `${String(next).padStart(4, '0')}_add_thing.sql`),
      'CREATE TABLE thing (id int);',
    );
    expect((await migrate(pg, loadMigrations(dir))).applied).toEqual([next]);
    expect(await tables(pg)).toContain('thing');
    await pg.close();
  });

  it('refuses to start when an applied migration was edited', async () => {
    const dir = copyMigrations();
    const pg = new PGlite();
    await migrate(pg, loadMigrations(dir));
    const file = path.join(dir, fs.readdirSync(dir).sort()[1]!);
    fs.appendFileSync(file, '\n-- a harmless-looking edit\n');
    await expect(migrate(pg, loadMigrations(dir))).rejects.toMatchObject({
      code: 'migration_edited',
      message: expect.stringContaining(path.basename(file)),
    });
    await pg.close();
  });

  it('refuses a cluster migrated by a newer app', async () => {
    const pg = new PGlite();
    await migrate(pg, loadMigrations());
    await pg.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'future', 'x')");
    await expect(migrate(pg, loadMigrations())).rejects.toMatchObject({ code: 'schema_too_new' });
    await pg.close();
  });

  it('rolls a failing migration back whole: no ledger row, no half-created table', async () => {
    const dir = copyMigrations();
    const pg = new PGlite();
    await migrate(pg, loadMigrations(dir));
    const next = String(loadMigrations(dir).length + 1).padStart(4, '0');
    fs.writeFileSync(
      path.join(dir, `${next}_broken.sql`),
      'CREATE TABLE half (id int);\nSELECT no_such_function();',
    );
    await expect(migrate(pg, loadMigrations(dir))).rejects.toMatchObject({ code: 'storage_error' });
    expect(await tables(pg)).not.toContain('half');
    const ledger = await pg.query('SELECT 1 FROM schema_migrations WHERE version = $1', [Number(next)]);
    expect(ledger.rows).toHaveLength(0);
    await pg.close();
  });

  it('rejects badly named or gapped migration files', () => {
    const dir = copyMigrations();
    fs.writeFileSync(path.join(dir, '0099_gap.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/without gaps/);
    fs.rmSync(path.join(dir, '0099_gap.sql'));
    fs.writeFileSync(path.join(dir, 'extra.sql'), 'SELECT 1;');
    expect(() => loadMigrations(dir)).toThrow(/NNNN_name\.sql/);
  });

  it('ignores line-ending differences in checksums', () => {
    expect(checksumOf('a\r\nb\r\n')).toBe(checksumOf('a\nb\n'));
  });
});
