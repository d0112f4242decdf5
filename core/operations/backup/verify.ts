import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { backupVerifyResult, BackupProgressEvent } from '../../contract/methods/backup.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { sha256File } from '../../base/hash-file.ts';
import { resolveBackup, toBackupInfo, updateBackupRow } from './catalog.ts';
import type { BackupRunOptions } from './create.ts';
import { serialized } from './serial.ts';
import { unpackBackup } from './unpack.ts';

export type VerifyResult = z.output<typeof backupVerifyResult>;

/**
 * Restores a backup into a temporary folder beside the backups and checks it: the archive's own
 * SHA-256 (against the catalogue), the passphrase and GCM tag or the integrity signature of a plain
 * archive (signature.ts), every member's checksum, then opens
 * the Postgres cluster and collections.db there and compares their counts with the manifest. A
 * catalogued backup is marked `verified`, or `failed` with the reason when its content is damaged.
 */
export function verifyBackup(
  engine: Engine,
  ref: number | string,
  opts: { passphrase?: string | undefined; trustForeign?: boolean | undefined } & BackupRunOptions = {},
): Promise<VerifyResult> {
  return serialized(engine, async () => {
    const started = performance.now();
    const { file, row } = await resolveBackup(engine, ref);
    const progress = (phase: BackupProgressEvent['phase']) =>
      opts.onProgress?.({
        type: 'progress',
        phase,
        bytesDone: 0,
        bytesTotal: 0,
        elapsedMs: performance.now() - started,
      });
    const temp = fs.mkdtempSync(path.join(engine.paths.backups, '.verify-'));
    try {
      if (row?.sha256) {
        const actual = await sha256File(file, undefined, opts.signal);
        if (actual !== row.sha256) {
          throw new PustakaError(
            'storage_error',
            `${path.basename(file)} was changed since it was written (its SHA-256 no longer matches the catalogue)`,
            { checks: [{ name: 'archive checksum', ok: false, detail: 'mismatch' }] },
          );
        }
      }
      const unpacked = await unpackBackup(file, temp, {
        passphrase: opts.passphrase,
        signal: opts.signal,
        onPhase: progress,
        integrity: { dataDir: engine.paths.root, trustForeign: opts.trustForeign, action: 'verify' },
      });
      const checks = [
        ...(row?.sha256
          ? [{ name: 'archive checksum', ok: true, detail: `sha256 ${row.sha256.slice(0, 12)}…` }]
          : []),
        ...unpacked.checks,
      ];
      const updated = row
        ? await updateBackupRow(engine.db, Number(row.id), {
            status: 'verified',
            verified_at: new Date(),
            error: null,
            ...(Object.keys(row.manifest).length === 0 ? { manifest: unpacked.manifest } : {}),
          })
        : null;
      return {
        backup: updated ? toBackupInfo(updated, engine.paths.backups) : null,
        path: file,
        manifest: unpacked.manifest,
        checks,
        integrity: unpacked.integrity,
        durationMs: performance.now() - started,
      };
    } catch (err) {
      // A wrong passphrase, a newer schema or a cancel says nothing about the archive itself.
      const damaged = err instanceof PustakaError && err.code === 'storage_error';
      if (row && damaged) {
        await updateBackupRow(engine.db, Number(row.id), { status: 'failed', error: err.message });
      }
      throw err;
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });
}
