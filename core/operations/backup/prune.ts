import fs from 'node:fs';
import path from 'node:path';
import type { BackupInfo, BackupKind } from '../../contract/methods/backup.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { writeAudit } from './audit.ts';
import { busyPaths } from './serial.ts';
import { getBackupRow, listBackupRows, toBackupInfo, updateBackupRow, type BackupRow } from './catalog.ts';
import { syncCatalog } from './catalog-sync.ts';
import { assertRemovableArchive, displayPath, localArchive } from './location.ts';
import { readPendingRestore } from './restore.ts';
import { DEFAULT_RETENTION, planRetention, type RetentionPolicy } from './retention.ts';
import { serialized } from './serial.ts';

export interface PruneResult {
  dryRun: boolean;
  includeManual: boolean;
  policy: RetentionPolicy;
  kept: { backup: BackupInfo; reasons: string[] }[];
  deleted: BackupInfo[];
  freedBytes: number;
}

export interface PruneOptions {
  dryRun?: boolean | undefined;
  actor?: string | undefined;
  /** Prune `manual` and `pre-restore` backups too: only `backup prune --include-manual` does. */
  includeManual?: boolean | undefined;
}

export async function listBackups(engine: Engine, includeDeleted = false) {
  await serialized(engine, () => syncCatalog(engine, busyPaths(engine)));
  const rows = await listBackupRows(engine.db, includeDeleted);
  return {
    backups: rows.map((r) => toBackupInfo(r, engine.paths.backups)),
    dir: engine.paths.backups,
    pendingRestore: readPendingRestore(engine.paths.root),
  };
}

/** Finished rows whose archive is in this folder's backups/ (what retention may count and prune). */
async function usableRows(engine: Engine): Promise<BackupRow[]> {
  return (await listBackupRows(engine.db)).filter((r) => {
    const file = localArchive(engine.paths.backups, r.path);
    return (r.status === 'ok' || r.status === 'verified') && file !== null && fs.existsSync(file);
  });
}

/** Whether a finished backup of `kind` in this folder is younger than `hours` (the worker's daily check). */
export function hasRecentBackup(engine: Engine, kind: BackupKind, hours: number): Promise<boolean> {
  return serialized(engine, async () => {
    await syncCatalog(engine, busyPaths(engine));
    const since = Date.now() - hours * 3_600_000;
    return (await usableRows(engine)).some((r) => r.kind === kind && r.created_at.getTime() > since);
  });
}

/**
 * Deletes the archives the retention policy does not keep (the nightly worker's maintenance step
 * calls this). Only finished archives (`ok`, `verified`) in this folder's backups/ take part;
 * failed rows and rows naming files elsewhere stay as history. Manual and pre-restore backups
 * take part only with `includeManual`.
 */
export function pruneBackups(
  engine: Engine,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  opts: PruneOptions = {},
): Promise<PruneResult> {
  return serialized(engine, async () => {
    const dir = engine.paths.backups;
    await syncCatalog(engine, busyPaths(engine));
    const rows = await usableRows(engine);
    const plan = planRetention(
      rows.map((r) => ({
        id: Number(r.id),
        kind: r.kind,
        createdAt: r.created_at,
        verified: r.status === 'verified',
      })),
      policy,
      { includeManual: opts.includeManual },
    );
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const kept = [...plan.keep].map(([id, reasons]) => ({
      backup: toBackupInfo(byId.get(id)!, dir),
      reasons,
    }));
    const deleted: BackupInfo[] = [];
    let freedBytes = 0;
    const actor = opts.actor ?? 'user';
    for (const id of plan.remove) {
      const row = byId.get(id)!;
      try {
        if (opts.dryRun) {
          assertRemovableArchive(dir, localArchive(dir, row.path)!);
          deleted.push(toBackupInfo(row, dir));
        } else deleted.push(await deleteArchive(engine, row, { reason: 'retention', actor }));
        freedBytes += Number(row.size_bytes ?? 0);
      } catch (err) {
        if (!(err instanceof PustakaError && err.code === 'conflict')) throw err;
        kept.push({ backup: toBackupInfo(row, dir), reasons: [err.message] });
        if (!opts.dryRun) {
          await writeAudit(
            engine.db,
            'backup.catalog',
            { type: 'backup', id },
            { file: path.basename(row.path), refused: err.message },
            actor,
          );
        }
      }
    }
    kept.sort((a, b) => b.backup.createdAt.localeCompare(a.backup.createdAt));
    return {
      dryRun: Boolean(opts.dryRun),
      includeManual: Boolean(opts.includeManual),
      policy,
      kept,
      deleted,
      freedBytes,
    };
  });
}

export function deleteBackup(engine: Engine, id: number): Promise<BackupInfo> {
  return serialized(engine, async () => {
    await syncCatalog(engine, busyPaths(engine));
    const row = await getBackupRow(engine.db, id);
    if (row.status === 'deleted')
      throw new PustakaError('not_found', `backup ${id} was already deleted`, { backup: id });
    if (row.status === 'creating')
      throw new PustakaError('conflict', `backup ${id} is still being written`, { backup: id });
    return deleteArchive(engine, row, { reason: 'user', actor: 'user' });
  });
}

/**
 * Deletes a row's archive — only ever a file that passes assertRemovableArchive — and marks the
 * row deleted. A row naming a file outside this folder's backups/ (another folder's archive, or
 * any path a restored catalogue holds) is only taken off the list: that file is left alone.
 */
async function deleteArchive(
  engine: Engine,
  row: BackupRow,
  why: { reason: 'retention' | 'user'; actor: string },
): Promise<BackupInfo> {
  const dir = engine.paths.backups;
  const file = localArchive(dir, row.path);
  if (file !== null && assertRemovableArchive(dir, file)) fs.rmSync(file, { force: true });
  const updated = await updateBackupRow(engine.db, Number(row.id), { status: 'deleted' });
  await writeAudit(
    engine.db,
    'backup.delete',
    { type: 'backup', id: Number(row.id) },
    {
      file: path.basename(row.path),
      kind: row.kind,
      createdAt: row.created_at.toISOString(),
      reason: why.reason,
      ...(file === null ? { fileKept: displayPath(dir, row.path) } : {}),
    },
    why.actor,
  );
  return toBackupInfo(updated, dir);
}
