import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PustakaError } from '../../base/errors.ts';
import { appFile } from '../../base/app-files.ts';

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

export const DEFAULT_MIGRATIONS_DIR = appFile('migrations');

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Line endings are normalised first, so a checkout with CRLF does not read as an edited migration. */
export function checksumOf(sql: string): string {
  return crypto.createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

export function loadMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Migration[] {
  const migrations: Migration[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file);
    if (!match) throw new Error(`migration file name ${file} does not match NNNN_name.sql`);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: match[2]!, file, sql, checksum: checksumOf(sql) });
  }
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 0001, 0002, … without gaps; found ${m.file}`);
  });
  return migrations;
}

/** One digest over every migration: names the schema a template cluster was built with. */
export function migrationsDigest(migrations: Migration[]): string {
  const h = crypto.createHash('sha256');
  for (const m of migrations) h.update(`${m.version}:${m.checksum}\n`);
  return h.digest('hex');
}

const LEDGER = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export async function appliedMigrations(pg: PGlite): Promise<AppliedMigration[]> {
  await pg.exec(LEDGER);
  const res = await pg.query<AppliedMigration>(
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  );
  return res.rows;
}

export interface MigrationResult {
  applied: number[];
  schemaVersion: number;
}

/**
 * Applies pending migrations in order, each with its ledger row in one transaction. Refuses to
 * start when an applied migration was edited, or the cluster was migrated by a newer app.
 */
export async function migrate(pg: PGlite, migrations: Migration[]): Promise<MigrationResult> {
  const applied = await appliedMigrations(pg);
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m) {
      throw new PustakaError(
        'schema_too_new',
        `the database has schema migration ${String(row.version).padStart(4, '0')}_${row.name}, which this version of Pustaka does not know: it was opened by a newer Pustaka. Update the app (your data is untouched).`,
        { version: row.version, name: row.name },
      );
    }
    if (m.checksum !== row.checksum) {
      throw new PustakaError(
        'migration_edited',
        `migration ${m.file} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ${m.checksum.slice(0, 12)}… on disk). Applied migrations must never be edited: restore the original file and add a new migration instead.`,
        { version: m.version, file: m.file, recorded: row.checksum, onDisk: m.checksum },
      );
    }
  }
  const done = new Set(applied.map((r) => r.version));
  const newlyApplied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) continue;
    try {
      await pg.transaction(async (tx) => {
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
      });
    } catch (err) {
      throw new PustakaError(
        'storage_error',
        `migration ${m.file} failed: ${(err as Error).message}`,
        {
          file: m.file,
        },
        { cause: err },
      );
    }
    newlyApplied.push(m.version);
  }
  return { applied: newlyApplied, schemaVersion: migrations.at(-1)?.version ?? 0 };
}
