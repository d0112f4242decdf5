import fs from 'node:fs';
import path from 'node:path';
import type { BackupInfo, BackupKind, BackupProgressEvent } from '../../contract/methods/backup.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { writeArchive } from './archive.ts';
import { archiveName, insertBackupRow, toBackupInfo, updateBackupRow } from './catalog.ts';
import { syncCatalog } from './catalog-sync.ts';
import { assertPassphrase } from './encryption.ts';
import { loadInstallKey } from './install-key.ts';
import { MEMBER_LIST } from './manifest.ts';
import { busyPaths, serialized } from './serial.ts';
import { takeSnapshot } from './snapshot.ts';

export interface CreateBackupOptions {
  kind: BackupKind;
  passphrase?: string | undefined;
}

export interface BackupRunOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((e: BackupProgressEvent) => void) | undefined;
}

/**
 * Takes a backup while the app is in use: snapshot into `<data>/backups/.staging-*`, then one
 * archive written under a temporary name and renamed. Abortable; on abort or error no partial file
 * is left and the `backups` row says `failed` with the reason (never the passphrase).
 */
export function createBackup(
  engine: Engine,
  opts: CreateBackupOptions,
  run: BackupRunOptions = {},
): Promise<BackupInfo> {
  return serialized(engine, () => createBackupNow(engine, opts, run));
}

/** createBackup without queueing behind other backup work (for callers already in the queue). */
export async function createBackupNow(
  engine: Engine,
  opts: CreateBackupOptions,
  run: BackupRunOptions = {},
): Promise<BackupInfo> {
  if (opts.passphrase !== undefined) assertPassphrase(opts.passphrase);
  const started = performance.now();
  const progress = (phase: BackupProgressEvent['phase'], bytesDone: number, bytesTotal: number) =>
    run.onProgress?.({
      type: 'progress',
      phase,
      bytesDone,
      bytesTotal,
      elapsedMs: performance.now() - started,
    });
  const dir = engine.paths.backups;
  const busy = busyPaths(engine);
  const taken = await syncCatalog(engine, busy);
  run.signal?.throwIfAborted();

  // The catalogue holds the archive's name; the file lies in this folder's backups/.
  const name = archiveName(opts.kind, new Date(), dir, taken);
  const out = path.join(dir, name);
  const staging = path.join(dir, `.staging-${path.basename(out, '.pustaka-backup')}`);
  busy.add(out);
  let rowId: number | null = null;
  try {
    progress('snapshot', 0, 0);
    const manifest = await takeSnapshot(engine, staging, opts.kind, run.signal);
    // The row is inserted after the snapshot on purpose: a snapshot that held its own `creating`
    // row would bring back a stale `creating` row when it is restored.
    rowId = await insertBackupRow(engine.db, {
      path: name,
      kind: opts.kind,
      encrypted: opts.passphrase !== undefined,
      status: 'creating',
    });
    const total = manifest.members.reduce((n, m) => n + m.sizeBytes, 0);
    progress('archive', 0, total);
    const written = await writeArchive({
      dir: staging,
      members: MEMBER_LIST,
      out,
      passphrase: opts.passphrase,
      signingKey: loadInstallKey(engine.paths.root),
      signal: run.signal,
      onBytes: (b) => progress('archive', b, total),
    });
    const row = await updateBackupRow(engine.db, rowId, {
      status: 'ok',
      size_bytes: written.sizeBytes,
      sha256: written.sha256,
      manifest,
      error: null,
    });
    return toBackupInfo(row, dir);
  } catch (err) {
    fs.rmSync(out, { force: true });
    fs.rmSync(`${out}.partial`, { force: true });
    const reason = failureReason(err);
    if (rowId === null) {
      rowId = await insertBackupRow(engine.db, {
        path: name,
        kind: opts.kind,
        encrypted: opts.passphrase !== undefined,
        status: 'failed',
      });
    }
    await updateBackupRow(engine.db, rowId, { status: 'failed', error: reason }).catch(() => undefined);
    if ((err as Error).name === 'AbortError') throw err;
    throw err instanceof PustakaError
      ? err
      : new PustakaError('storage_error', `the backup failed: ${reason}`, undefined, { cause: err });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    busy.delete(out);
  }
}

function failureReason(err: unknown): string {
  if ((err as Error).name === 'AbortError') return 'cancelled';
  return err instanceof Error ? err.message : String(err);
}
