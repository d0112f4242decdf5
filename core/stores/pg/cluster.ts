import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { makePrivate } from '../../base/private-files.ts';
import { readTemplate } from './template.ts';

/**
 * A Postgres cluster is complete only once initdb wrote both of these. A first start killed
 * mid-initdb leaves a directory without them, which must never be opened.
 */
export function isCompleteCluster(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'PG_VERSION')) && fs.existsSync(path.join(dir, 'global', 'pg_control'));
}

/**
 * The folders initdb creates (initdb.c `subdirs`), most of them empty. Installers copy files, not
 * empty folders (electron-builder's extraResources), so a template copy recreates them: without
 * pg_tblspc, pg_notify… Postgres does not start.
 */
const CLUSTER_DIRS = [
  'global',
  'pg_wal/archive_status',
  'pg_wal/summaries',
  'pg_commit_ts',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_subtrans',
  'pg_twophase',
  'pg_multixact/members',
  'pg_multixact/offsets',
  'base',
  'pg_replslot',
  'pg_tblspc',
  'pg_stat',
  'pg_stat_tmp',
  'pg_xact',
  'pg_logical/snapshots',
  'pg_logical/mappings',
];

export type ClusterOrigin = 'existing' | 'template' | 'initdb';

export interface PreparedCluster {
  origin: ClusterOrigin;
  /** Set when a half-written cluster from an interrupted first start was found and replaced. */
  replacedIncomplete: boolean;
  ms: number;
}

/**
 * Makes sure `pgDir` holds a complete cluster. A new one is built beside it (`pg.partial-*`) and
 * renamed into place, so a crash at any moment leaves either nothing or a whole cluster.
 */
export async function prepareCluster(
  pgDir: string,
  opts: { templateDir?: string | null; templateKey?: string },
): Promise<PreparedCluster> {
  const started = performance.now();
  const done = (origin: ClusterOrigin, replacedIncomplete: boolean): PreparedCluster => ({
    origin,
    replacedIncomplete,
    ms: performance.now() - started,
  });

  removeLeftoverPartials(pgDir);
  let replacedIncomplete = false;
  if (fs.existsSync(pgDir)) {
    if (isCompleteCluster(pgDir)) return done('existing', false);
    // No PG_VERSION / pg_control: initdb never finished, so there is no user data in it.
    fs.rmSync(pgDir, { recursive: true, force: true });
    replacedIncomplete = true;
  }

  const partial = `${pgDir}.partial-${process.pid}-${Date.now()}`;
  const template = opts.templateDir ? readTemplate(opts.templateDir) : null;
  let origin: ClusterOrigin;
  if (template && (!opts.templateKey || template.key === opts.templateKey)) {
    fs.cpSync(template.pgdata, partial, { recursive: true });
    for (const dir of CLUSTER_DIRS) fs.mkdirSync(path.join(partial, dir), { recursive: true });
    origin = 'template';
  } else {
    const pg = new PGlite(partial);
    await pg.waitReady;
    await pg.close();
    origin = 'initdb';
  }
  if (!isCompleteCluster(partial)) throw new Error(`new cluster at ${partial} is incomplete`);
  // The copy keeps the template's modes and initdb writes 0666: private before it is in place.
  makePrivate(partial);
  fs.renameSync(partial, pgDir);
  return done(origin, replacedIncomplete);
}

function removeLeftoverPartials(pgDir: string): void {
  const parent = path.dirname(pgDir);
  const prefix = `${path.basename(pgDir)}.partial-`;
  if (!fs.existsSync(parent)) return;
  for (const name of fs.readdirSync(parent)) {
    if (name.startsWith(prefix)) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  }
}
