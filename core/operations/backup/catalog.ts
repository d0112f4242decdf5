import fs from 'node:fs';
import path from 'node:path';
import type { BackupInfo, BackupKind, BackupManifest } from '../../contract/methods/backup.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { ARCHIVE_SUFFIX, displayPath, localArchive, ownArchiveName } from './location.ts';

/**
 * A row of the `backups` table: the catalogue of archives in `<data>/backups/`. Its `path` column
 * holds the archive's file name in that folder (see location.ts); older rows may hold an absolute
 * path until the catalogue sync converts them.
 */
export interface BackupRow {
  id: number;
  /** The archive's name in `<data>/backups/` (an absolute path in rows from before names). */
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

/** The row as the API shows it; `backupsDir` is this data folder's `backups/`. */
export function toBackupInfo(row: BackupRow, backupsDir: string): BackupInfo {
  const m = row.manifest;
  const collections = m.counts?.collections;
  const local = localArchive(backupsDir, row.path);
  return {
    id: Number(row.id),
    fileName: path.basename(row.path),
    path: displayPath(backupsDir, row.path),
    kind: row.kind,
    status: row.status,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    encrypted: row.encrypted,
    createdAt: row.created_at.toISOString(),
    verifiedAt: row.verified_at?.toISOString() ?? null,
    error: row.error,
    fileExists: local !== null && fs.existsSync(local),
    inBackupsDir: local !== null,
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

/**
 * An id, an archive path, or the name of an archive in the backups folder. A catalogued backup is
 * used only from this folder's `backups/`; a row naming a file elsewhere is refused by id (that
 * file can still be given by its path, and is then used without a catalogue row).
 */
export async function resolveBackup(
  engine: Engine,
  ref: number | string,
): Promise<{ file: string; row: BackupRow | null }> {
  const dir = engine.paths.backups;
  if (typeof ref === 'number') {
    const row = await getBackupRow(engine.db, ref);
    const name = ownArchiveName(row, dir);
    const file = name === null ? null : path.join(dir, name);
    const missing =
      row.status === 'deleted'
        ? 'deleted'
        : row.status === 'creating'
          ? 'still being written'
          : file === null
            ? `it names ${displayPath(dir, row.path)}, outside this data folder's backups (${dir}); give that file's path to use it`
            : !fs.existsSync(file)
              ? 'the file is missing'
              : null;
    if (missing || file === null) {
      throw new PustakaError('not_found', `backup ${ref} has no archive to use (${missing})`, {
        backup: ref,
      });
    }
    return { file, row };
  }
  const inDir = path.join(dir, ref);
  const file = path.resolve(!path.isAbsolute(ref) && fs.existsSync(inDir) ? inDir : ref);
  if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
    throw new PustakaError('not_found', `no backup archive at ${file}`, { path: file });
  }
  // Only an archive in this folder's backups/ has a catalogue row here (by name, or by the
  // absolute path of a row the sync has not converted yet).
  const inBackups = localArchive(dir, file) ? path.basename(file) : null;
  const rows = inBackups
    ? await engine.db.query<BackupRow>(
        `SELECT ${COLUMNS} FROM backups WHERE path IN ($1, $2) AND status <> 'deleted' ORDER BY id DESC LIMIT 1`,
        [inBackups, file],
      )
    : [];
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

/** A new archive's name: free on disk and in the catalogue (`taken`: names of its rows). */
export function archiveName(
  kind: BackupKind,
  at: Date,
  dir: string,
  taken: ReadonlySet<string> = new Set(),
): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}${p(at.getMonth() + 1)}${p(at.getDate())}-${p(at.getHours())}${p(at.getMinutes())}${p(at.getSeconds())}`;
  for (let i = 1; ; i++) {
    const name = `pustaka-${stamp}${i > 1 ? `-${i}` : ''}-${kind}${ARCHIVE_SUFFIX}`;
    const free =
      !taken.has(name) &&
      !fs.existsSync(path.join(dir, name)) &&
      !fs.existsSync(path.join(dir, `${name}.partial`));
    if (free) return name;
  }
}
