import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { restrictTree, SHARED_READ_ONLY_BITS } from '../../base/private-files.ts';
import { migrate, migrationsDigest, type Migration } from './migrations.ts';
import { packageVersion } from './versions.ts';
import { appFile } from '../../base/app-files.ts';

/**
 * A template cluster is a fully initialised and migrated Postgres data dir, built once (at
 * install/build time) and copied into each new data dir: ~3–7 s of initdb becomes a file copy.
 */
export const DEFAULT_TEMPLATE_DIR = appFile('build', 'pg-template');

export interface TemplateInfo {
  key: string;
  pglite: string;
  schemaVersion: number;
  builtAt: string;
  pgdata: string;
}

/** The template fits only the same PGlite build and the exact same migrations. */
export function templateKey(migrations: Migration[]): string {
  return crypto
    .createHash('sha256')
    .update(`pglite ${packageVersion('@electric-sql/pglite')}\n${migrationsDigest(migrations)}`)
    .digest('hex');
}

export function readTemplate(dir: string): TemplateInfo | null {
  try {
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'template.json'), 'utf8')) as Omit<
      TemplateInfo,
      'pgdata'
    >;
    const pgdata = path.join(dir, 'pgdata');
    if (!fs.existsSync(path.join(pgdata, 'global', 'pg_control'))) return null;
    return { ...meta, pgdata };
  } catch {
    return null;
  }
}

export async function buildTemplate(dir: string, migrations: Migration[]): Promise<TemplateInfo> {
  const key = templateKey(migrations);
  const existing = readTemplate(dir);
  if (existing?.key === key) {
    restrictTree(dir, SHARED_READ_ONLY_BITS); // one built before the template's files were restricted
    return existing;
  }

  const staging = `${dir.replace(/[\\/]$/, '')}.staging-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const pgdata = path.join(staging, 'pgdata');
  const pg = new PGlite(pgdata);
  await pg.waitReady;
  const { schemaVersion } = await migrate(pg, migrations);
  // A clean shutdown checkpoints, so the copy opens without WAL replay.
  await pg.close();
  const meta = {
    key,
    pglite: packageVersion('@electric-sql/pglite'),
    schemaVersion,
    builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(staging, 'template.json'), JSON.stringify(meta, null, 2));
  // initdb leaves its files 0666; an installed template others could write would seed every new data folder.
  restrictTree(staging, SHARED_READ_ONLY_BITS);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(staging, dir);
  return { ...meta, pgdata: path.join(dir, 'pgdata') };
}
