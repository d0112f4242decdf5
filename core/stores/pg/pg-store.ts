import { PGlite, type Transaction } from '@electric-sql/pglite';
import { PustakaError } from '../../base/errors.ts';
import { makePrivate } from '../../base/private-files.ts';
import { prepareCluster, type PreparedCluster } from './cluster.ts';
import { createClusterSyncer, type ClusterSyncer } from './durability.ts';
import { loadMigrations, migrate, type Migration } from './migrations.ts';
import { DEFAULT_TEMPLATE_DIR, templateKey } from './template.ts';

export type Params = unknown[];

/** What callers see of Postgres: rows in, rows out; every write made durable before it returns. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: Params): Promise<T[]>;
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  readonly schemaVersion: number;
  readonly cluster: PreparedCluster;
  readonly syncer: ClusterSyncer;
  /** Escape hatch for tests and maintenance (backups); bypasses the durability hook. */
  readonly pg: PGlite;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  pgDir: string;
  migrations?: Migration[];
  /** null disables the template (forces initdb). */
  templateDir?: string | null;
}

const READ_ONLY = /^\s*(select|show|explain|with\s+[^;]*\bselect\b(?![\s\S]*\b(insert|update|delete)\b))/i;

function wrap(target: PGlite | Transaction, after: (sql: string) => void): Queryable {
  return {
    async query<T>(sql: string, params?: Params) {
      const res = await target.query<T>(sql, params as unknown[]);
      after(sql);
      return res.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
      after(sql);
    },
  };
}

export async function openDb(opts: OpenDbOptions): Promise<Db> {
  const migrations = opts.migrations ?? loadMigrations();
  const templateDir = opts.templateDir === undefined ? DEFAULT_TEMPLATE_DIR : opts.templateDir;
  const cluster = await prepareCluster(opts.pgDir, { templateDir, templateKey: templateKey(migrations) });

  let pg: PGlite;
  try {
    pg = new PGlite(opts.pgDir);
    await pg.waitReady;
  } catch (err) {
    throw new PustakaError(
      'data_dir_unusable',
      `the database in ${opts.pgDir} cannot be opened (${(err as Error).message}); restore it from a backup`,
      { pgDir: opts.pgDir },
      { cause: err },
    );
  }
  let schemaVersion: number;
  try {
    schemaVersion = (await migrate(pg, migrations)).schemaVersion;
  } catch (err) {
    await pg.close().catch(() => undefined);
    throw err;
  }

  // PGlite writes pg_internal.init 0644 at every start, whatever the umask.
  makePrivate(opts.pgDir);
  const syncer = createClusterSyncer(opts.pgDir);
  syncer.syncAll(); // a fresh copy or a migration must itself be on disk before we report success
  const autoSync = (sql: string) => {
    if (!READ_ONLY.test(sql)) syncer.afterWrite();
  };
  const base = wrap(pg, autoSync);
  let closed = false;

  return {
    ...base,
    schemaVersion,
    cluster,
    syncer,
    pg,
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const result = await pg.transaction((tx) => fn(wrap(tx, () => undefined)));
      syncer.afterWrite();
      return result;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
      syncer.syncAll();
    },
  };
}
