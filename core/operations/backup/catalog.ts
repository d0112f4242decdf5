import fs from 'node:fs';
import path from 'node:path';
import type { BackupInfo, BackupKind, BackupManifest } from '../../contract/methods/backup.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';
import { isEncryptedFile } from './encryption.ts';
import { readArchiveManifest } from './manifest.ts';

/** The `backups` table: the catalogue of archives in `<data>/backups/`. */
export const ARCHIVE_SUFFIX = '.pustaka-backup';

export interface BackupRow {
  id: number;
  path: string;
  kind: BackupKind;
  size_bytes: number | null;
  sha256: string | null;
  encrypted: boolean;
  status: BackupInfo['status'];
  manifest: Partial<BackupManifest>;
  verified_at: Date | null;
  error: string | null;
  created_at: Date;
}

const COLUMNS =
  'id, path, kind, size_bytes, sha256, encrypted, status, manifest, verified_at, error, created_at';

export function toBackupInfo(row: BackupRow): BackupInfo {
  const m = row.manifest;
  const collections = m.counts?.collections;
  return {
    id: Number(row.id),
    fileName: path.basename(row.path),
    path: row.path,
    kind: row.kind,
    status: row.status,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    encrypted: row.encrypted,
    createdAt: row.created_at.toISOString(),
    verifiedAt: row.verified_at?.toISOString() ?? null,
    error: row.error,
    fileExists: fs.existsSync(row.path),
    appVersion: m.app?.version ?? null,
    schemaVersion: m.schemaVersion ?? null,
    counts: collections
      ? {
          collections: collections.length,
          documents: collections.reduce((n, c) => n + c.documents, 0),
          chunks: m.counts?.chunks ?? 0,
        }
      : null,
  };
}

export async function getBackupRow(db: Queryable, id: number): Promise<BackupRow> {
  const row = (await db.query<BackupRow>(`SELECT ${COLUMNS} FROM backups WHERE id = $1`, [id]))[0];
  if (!row) throw new PustakaError('not_found', `no backup with id ${id}`, { backup: id });
  return row;
}

export async function listBackupRows(db: Queryable, includeDeleted = false): Promise<BackupRow[]> {
  return db.query<BackupRow>(
    `SELECT ${COLUMNS} FROM backups ${includeDeleted ? '' : "WHERE status <> 'deleted'"} ORDER BY created_at DESC, id DESC`,
  );
}

export async function insertBackupRow(
  db: Queryable,
  row: {
    path: string;
    kind: BackupKind;
    encrypted: boolean;
    status: 'creating' | 'ok' | 'failed';
    createdAt?: Date;
  },
): Promise<number> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO backups (path, kind, encrypted, status, created_at) VALUES ($1, $2, $3, $4, coalesce($5, now())) RETURNING id`,
    [row.path, row.kind, row.encrypted, row.status, row.createdAt ?? null],
  );
  return Number(rows[0]!.id);
}

export async function updateBackupRow(
  db: Queryable,
  id: number,
  set: Partial<{
    status: BackupInfo['status'];
    size_bytes: number;
    sha256: string;
    manifest: BackupManifest;
    verified_at: Date;
    error: string | null;
  }>,
): Promise<BackupRow> {
  const keys = Object.keys(set) as (keyof typeof set)[];
  const assignments = keys.map((k, i) => `${k} = $${i + 2}`).join(', ');
  await db.query(`UPDATE backups SET ${assignments} WHERE id = $1`, [id, ...keys.map((k) => set[k])]);
  return getBackupRow(db, id);
}

/** An id, an archive path, or the name of an archive in the backups folder. */
export async function resolveBackup(
  engine: Engine,
  ref: number | string,
): Promise<{ file: string; row: BackupRow | null }> {
  if (typeof ref === 'number') {
    const row = await getBackupRow(engine.db, ref);
    if (row.status === 'deleted' || row.status === 'creating' || !fs.existsSync(row.path)) {
      throw new PustakaError(
        'not_found',
        `backup ${ref} has no archive to use (${row.status === 'deleted' ? 'deleted' : row.status === 'creating' ? 'still being written' : 'the file is missing'})`,
        { backup: ref },
      );
    }
    return { file: row.path, row };
  }
  const inDir = path.join(engine.paths.backups, ref);
  const file = path.resolve(!path.isAbsolute(ref) && fs.existsSync(inDir) ? inDir : ref);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new PustakaError('not_found', `no backup archive at ${file}`, { path: file });
  }
  const rows = await engine.db.query<BackupRow>(
    `SELECT ${COLUMNS} FROM backups WHERE path = $1 AND status <> 'deleted' ORDER BY id DESC LIMIT 1`,
    [file],
  );
  return { file, row: rows[0] ?? null };
}

/** `pustaka-20260412-031500-scheduled.pustaka-backup` → its kind and local creation time. */
export function parseArchiveName(name: string): { kind: BackupKind; createdAt: Date } | null {
  const m =
    /^pustaka-(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})(?:-\d+)?-(manual|scheduled|pre-restore)\.pustaka-backup$/.exec(
      name,
    );
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  return { kind: m[7] as BackupKind, createdAt: new Date(y, mo - 1, d, h, mi, s) };
}

export function archiveName(kind: BackupKind, at: Date, dir: string): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  for (let i = 1; ; i++) {
    const name = `pustaka-${stamp}${i > 1 ? `-${i}` : ''}-${kind}${ARCHIVE_SUFFIX}`;
    if (!fs.existsSync(path.join(dir, name)) && !fs.existsSync(path.join(dir, `${name}.partial`)))
      return name;
  }
}

/**
 * Brings the catalogue in line with the folder: archives on disk it does not know (written after
 * the snapshot a restore brought back, or copied in by hand) are added; rows left `creating` by a
 * crash are marked failed; leftovers of interrupted writes are removed. `busy` holds the paths
 * this process is writing now.
 */
export async function syncCatalog(engine: Engine, busy: ReadonlySet<string>): Promise<void> {
  const dir = engine.paths.backups;
  fs.mkdirSync(dir, { recursive: true });
  const rows = await listBackupRows(engine.db, true);
  // Failed rows count as known: a damaged archive found by verify must not come back as `ok`, and
  // one whose write was interrupted after its rename can still be verified by id.
  const known = new Set(rows.filter((r) => r.status !== 'deleted').map((r) => r.path));
  for (const r of rows) {
    if (r.status === 'creating' && !busy.has(r.path)) {
      await updateBackupRow(engine.db, Number(r.id), {
        status: 'failed',
        error: 'interrupted before it was finished',
      });
    }
  }
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (busy.has(file) || [...busy].some((b) => file.startsWith(`${b}.`))) continue;
    if (name.endsWith('.partial') || name.startsWith('.staging-') || name.startsWith('.verify-')) {
      fs.rmSync(file, { recursive: true, force: true });
      continue;
    }
    const parsed = parseArchiveName(name);
    if (!parsed || known.has(file)) continue;
    const size = fs.statSync(file).size;
    const encrypted = await isEncryptedFile(file);
    const id = await insertBackupRow(engine.db, {
      path: file,
      kind: parsed.kind,
      encrypted,
      status: 'ok',
      createdAt: parsed.createdAt,
    });
    const manifest = encrypted ? null : await readArchiveManifest(file).catch(() => null);
    await updateBackupRow(engine.db, id, {
      size_bytes: size,
      sha256: await sha256File(file, size),
      ...(manifest ? { manifest } : {}),
    });
  }
}
