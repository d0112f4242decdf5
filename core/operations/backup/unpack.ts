import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { ArchiveIntegrity, BackupManifest } from '../../contract/methods/backup.ts';
import { isCompleteCluster } from '../../stores/pg/cluster.ts';
import { loadMigrations, migrate } from '../../stores/pg/migrations.ts';
import { PustakaError } from '../../base/errors.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../stores/vectors/schema.ts';
import { openVectorStore } from '../../stores/vectors/store.ts';
import { extractArchive, extractTar } from './archive.ts';
import { checkMembers, MEMBER_LIST, MEMBERS, parseManifest, type Check } from './manifest.ts';
import { checkSignature, SIGNATURE_MEMBER, type SignatureCheck } from './signature.ts';
import { countTables } from './snapshot.ts';

/**
 * Shared by verify and restore: unpack an archive into a folder as a data dir (`pg/` and
 * `collections.db`), check its integrity signature and every checksum, open both stores there and
 * compare their counts with the manifest. Never touches the live data dir.
 */
export interface UnpackedBackup {
  manifest: BackupManifest;
  checks: Check[];
  integrity: ArchiveIntegrity;
  /** The schema version of the snapshot when migrations ran forward on the copy, else null. */
  migratedFrom: number | null;
  pgDir: string;
  sqliteFile: string;
}

export class VerificationFailed extends PustakaError {
  constructor(file: string, checks: Check[]) {
    const bad = checks.filter((c) => !c.ok);
    super(
      'storage_error',
      `${path.basename(file)} failed verification: ${bad.map((c) => `${c.name}: ${c.detail}`).join('; ')}`,
      { checks },
    );
  }
}

export async function unpackBackup(
  file: string,
  dest: string,
  opts: {
    passphrase?: string | undefined;
    signal?: AbortSignal | undefined;
    onPhase?: (phase: 'extract' | 'check') => void;
    /** Whose key the signature must match (this installation's data folder), and what to do if not. */
    integrity: SignatureCheck;
  },
): Promise<UnpackedBackup> {
  opts.onPhase?.('extract');
  const { encrypted } = await extractArchive(file, dest, MEMBER_LIST, {
    passphrase: opts.passphrase,
    signal: opts.signal,
    optional: [SIGNATURE_MEMBER],
  });
  // Before anything in the archive is believed, its manifest included.
  const integrity = checkSignature(dest, file, encrypted, opts.integrity);
  const manifest = parseManifest(
    fs.readFileSync(path.join(dest, MEMBERS.manifest), 'utf8'),
    path.basename(file),
  );
  assertNotNewer(manifest);
  opts.onPhase?.('check');
  const checks = [
    { name: 'integrity signature', ok: true, detail: integrity.warning ?? integrity.detail },
    ...(await checkMembers(dest, manifest, [MEMBERS.pg, MEMBERS.sqlite])),
  ];
  if (checks.some((c) => !c.ok)) throw new VerificationFailed(file, checks);
  opts.signal?.throwIfAborted();

  const pgDir = path.join(dest, 'pg');
  const pgTar = path.join(dest, MEMBERS.pg);
  await extractTar(pgTar, pgDir, `${MEMBERS.pg} in ${path.basename(file)}`);
  fs.rmSync(pgTar);
  if (!isCompleteCluster(pgDir)) {
    throw new VerificationFailed(file, [
      { name: 'postgres cluster', ok: false, detail: 'incomplete in the archive' },
    ]);
  }
  const sqliteFile = path.join(dest, MEMBERS.sqlite);
  const { checks: countChecks, migratedFrom } = await openAndCount(pgDir, sqliteFile, manifest);
  checks.push(...countChecks);
  if (countChecks.some((c) => !c.ok)) throw new VerificationFailed(file, checks);
  return { manifest, checks, integrity, migratedFrom, pgDir, sqliteFile };
}

/** A snapshot from a newer Pustaka cannot be opened by this one: say so before extracting more. */
function assertNotNewer(manifest: BackupManifest): void {
  const known = loadMigrations().length;
  if (manifest.schemaVersion > known || manifest.sqliteUserVersion > SQLITE_MIGRATIONS.length) {
    throw new PustakaError(
      'schema_too_new',
      `this backup was made by Pustaka ${manifest.app.version} with a newer database schema (${manifest.schemaVersion}/${manifest.sqliteUserVersion}; this version knows ${known}/${SQLITE_MIGRATIONS.length}): update Pustaka to restore it`,
      { schemaVersion: manifest.schemaVersion, appVersion: manifest.app.version },
    );
  }
}

async function openAndCount(
  pgDir: string,
  sqliteFile: string,
  manifest: BackupManifest,
): Promise<{ checks: Check[]; migratedFrom: number | null }> {
  const checks: Check[] = [];
  let migratedFrom: number | null = null;
  // PGlite directly rather than openDb: a temporary copy needs no fsync of its 1,200 files
  // (the restore's swap makes the data durable when it opens it for real).
  let pg: PGlite | undefined;
  try {
    pg = new PGlite(pgDir);
    await pg.waitReady;
    const { schemaVersion } = await migrate(pg, loadMigrations());
    if (schemaVersion !== manifest.schemaVersion) migratedFrom = manifest.schemaVersion;
    const tables = await countTables(pg);
    // Migrations that ran forward on the copy add their own ledger rows.
    const wrong = Object.entries(manifest.counts.tables).filter(
      ([t, n]) => tables[t] !== n && !(migratedFrom !== null && t === 'schema_migrations'),
    );
    checks.push({
      name: 'postgres rows',
      ok: wrong.length === 0,
      detail: wrong.length
        ? wrong.map(([t, n]) => `${t}: ${tables[t] ?? 'missing'} rows, expected ${n}`).join(', ')
        : `${Object.keys(manifest.counts.tables).length} tables, ${Object.values(tables).reduce((a, b) => a + b, 0)} rows`,
    });
  } catch (err) {
    throw new PustakaError(
      (err as PustakaError).code === 'schema_too_new' ? 'schema_too_new' : 'storage_error',
      `the backup's database does not open: ${(err as Error).message}`,
      undefined,
      { cause: err },
    );
  } finally {
    await pg?.close().catch(() => undefined);
  }

  const vectors = openVectorStore(sqliteFile);
  try {
    const total = vectors.countChunks();
    const wrong = manifest.counts.collections.filter((c) => vectors.countChunks(c.id) !== c.chunks);
    checks.push({
      name: 'sqlite chunks',
      ok: total === manifest.counts.chunks && wrong.length === 0,
      detail:
        total === manifest.counts.chunks && wrong.length === 0
          ? `${total} chunks in ${manifest.counts.collections.length} collections`
          : `${total} chunks, expected ${manifest.counts.chunks}${wrong.length ? `; differing collections: ${wrong.map((c) => c.name).join(', ')}` : ''}`,
    });
    const integrity = vectors.quickCheck();
    checks.push({ name: 'sqlite integrity', ok: integrity === 'ok', detail: integrity });
  } finally {
    vectors.close();
  }
  return { checks, migratedFrom };
}
