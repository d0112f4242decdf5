import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../../engine/engine.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { sha256File } from '../../base/hash-file.ts';
import { writeAudit } from './audit.ts';
import {
  insertBackupRow,
  listBackupRows,
  parseArchiveName,
  updateBackupRow,
  type BackupRow,
} from './catalog.ts';
import { isEncryptedFile } from './encryption.ts';
import { isArchiveName, ownArchiveName } from './location.ts';
import { readArchiveManifest } from './manifest.ts';

/**
 * Brings the catalogue in line with the folder: rows holding absolute paths (written before the
 * catalogue stored names) become names, one row per archive is kept, archives on disk it does not
 * know (written after the snapshot a restore brought back, or copied in by hand) are added; rows
 * left `creating` by a crash are marked failed; leftovers of interrupted writes are removed.
 * `busy` holds the paths this process is writing now. Returns the names the catalogue holds.
 */
export async function syncCatalog(engine: Engine, busy: ReadonlySet<string>): Promise<Set<string>> {
  const dir = engine.paths.backups;
  fs.mkdirSync(dir, { recursive: true });
  await engine.db.transaction((tx) => adoptLegacyRows(tx, dir));
  const rows = await listBackupRows(engine.db, true);
  // Failed rows count as known: a damaged archive found by verify must not come back as `ok`, and
  // one whose write was interrupted after its rename can still be verified by id.
  const known = new Set(
    rows.filter((r) => r.status !== 'deleted' && isArchiveName(r.path)).map((r) => r.path),
  );
  for (const r of rows) {
    if (r.status === 'creating' && !busy.has(path.join(dir, r.path))) {
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
    if (!parsed || known.has(name) || !fs.statSync(file).isFile()) continue;
    await addFoundArchive(engine, name, parsed);
    known.add(name);
  }
  return known;
}

async function addFoundArchive(
  engine: Engine,
  name: string,
  parsed: NonNullable<ReturnType<typeof parseArchiveName>>,
): Promise<void> {
  const file = path.join(engine.paths.backups, name);
  const size = fs.statSync(file).size;
  const encrypted = await isEncryptedFile(file);
  const id = await insertBackupRow(engine.db, {
    path: name,
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

/** verified before ok before the rest; then the oldest row (the one the archive was written with). */
function keeperOrder(a: BackupRow, b: BackupRow): number {
  const rank = (r: BackupRow) => ['verified', 'ok', 'creating', 'failed'].indexOf(r.status);
  return rank(a) - rank(b) || Number(a.id) - Number(b.id);
}

/**
 * Turns legacy rows into names and keeps one row per archive name: a copied folder's catalogue
 * held both the original's row and the one a sync added for the same file. The extra rows are
 * removed, with what they said kept in the audit trail.
 */
async function adoptLegacyRows(db: Queryable, dir: string): Promise<void> {
  const rows = await listBackupRows(db);
  const byName = new Map<string, BackupRow[]>();
  for (const r of rows) {
    const name = ownArchiveName(r, dir);
    if (name !== null) byName.set(name, [...(byName.get(name) ?? []), r]);
  }
  for (const [name, group] of byName) {
    const [keeper, ...extra] = group.sort(keeperOrder);
    for (const r of extra) {
      await db.query('DELETE FROM backups WHERE id = $1', [r.id]);
      await writeAudit(
        db,
        'backup.catalog',
        { type: 'backup', id: Number(r.id) },
        {
          file: name,
          duplicateOf: Number(keeper!.id),
          path: r.path,
          kind: r.kind,
          status: r.status,
          createdAt: r.created_at.toISOString(),
          verifiedAt: r.verified_at?.toISOString() ?? null,
          error: r.error,
        },
        'system',
      );
    }
    if (keeper!.path !== name)
      await db.query('UPDATE backups SET path = $2 WHERE id = $1', [keeper!.id, name]);
  }
}
