import fs from 'node:fs';
import path from 'node:path';
import type { BackupInfo } from '../../contract/methods/backup.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { writeAudit } from './audit.ts';
import { busyPaths } from './serial.ts';
import {
  getBackupRow,
  listBackupRows,
  syncCatalog,
  toBackupInfo,
  updateBackupRow,
  type BackupRow,
} from './catalog.ts';
import { readPendingRestore } from './restore.ts';
import { DEFAULT_RETENTION, planRetention, type RetentionPolicy } from './retention.ts';
import { serialized } from './serial.ts';

export interface PruneResult {
  dryRun: boolean;
  policy: RetentionPolicy;
  kept: { backup: BackupInfo; reasons: string[] }[];
  deleted: BackupInfo[];
  freedBytes: number;
}

export async function listBackups(engine: Engine, includeDeleted = false) {
  await serialized(engine, () => syncCatalog(engine, busyPaths(engine)));
  const rows = await listBackupRows(engine.db, includeDeleted);
  return {
    backups: rows.map(toBackupInfo),
    dir: engine.paths.backups,
    pendingRestore: readPendingRestore(engine.paths.root),
  };
}

/**
 * Deletes the archives the retention policy does not keep (the nightly worker's maintenance step
 * calls this). Only finished archives (`ok`, `verified`) take part; failed rows stay as history.
 */
export function pruneBackups(
  engine: Engine,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  opts: { dryRun?: boolean; actor?: string } = {},
): Promise<PruneResult> {
  return serialized(engine, async () => {
    await syncCatalog(engine, busyPaths(engine));
    const rows = (await listBackupRows(engine.db)).filter(
      (r) => (r.status === 'ok' || r.status === 'verified') && fs.existsSync(r.path),
    );
    const plan = planRetention(
      rows.map((r) => ({ id: Number(r.id), createdAt: r.created_at, verified: r.status === 'verified' })),
      policy,
    );
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const deleted: BackupInfo[] = [];
    let freedBytes = 0;
    for (const id of plan.remove) {
      const row = byId.get(id)!;
      freedBytes += Number(row.size_bytes ?? 0);
      deleted.push(
        opts.dryRun
          ? toBackupInfo(row)
          : await deleteArchive(engine, row, { reason: 'retention', actor: opts.actor ?? 'user' }),
      );
    }
    const kept = [...plan.keep].map(([id, reasons]) => ({ backup: toBackupInfo(byId.get(id)!), reasons }));
    kept.sort((a, b) => b.backup.createdAt.localeCompare(a.backup.createdAt));
    return { dryRun: Boolean(opts.dryRun), policy, kept, deleted, freedBytes };
  });
}

export function deleteBackup(engine: Engine, id: number): Promise<BackupInfo> {
  return serialized(engine, async () => {
    const row = await getBackupRow(engine.db, id);
    if (row.status === 'deleted')
      throw new PustakaError('not_found', `backup ${id} was already deleted`, { backup: id });
    if (row.status === 'creating')
      throw new PustakaError('conflict', `backup ${id} is still being written`, { backup: id });
    return deleteArchive(engine, row, { reason: 'user', actor: 'user' });
  });
}

async function deleteArchive(
  engine: Engine,
  row: BackupRow,
  why: { reason: 'retention' | 'user'; actor: string },
): Promise<BackupInfo> {
  fs.rmSync(row.path, { force: true });
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
    },
    why.actor,
  );
  return toBackupInfo(updated);
}
