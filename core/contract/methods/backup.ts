import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionSchema } from './collections.ts';
import { collectionName, collectionRef, noEvent } from './common.ts';

export const backupKind = z.enum(['manual', 'scheduled', 'pre-restore']);
export type BackupKind = z.output<typeof backupKind>;
export const backupStatus = z.enum(['creating', 'ok', 'failed', 'verified', 'deleted']);

/** A backup is addressed by its id, or by an archive file (a path, or a name in the backups folder). */
export const backupRef = z.union([z.number().int().positive(), z.string().trim().min(1).max(4_096)]);

/**
 * Passphrases travel as params (the UI asks for them) but are never logged, stored, audited or
 * echoed in an error message.
 */
const passphrase = z.string().min(1, 'the passphrase is empty').max(1_024).optional();

const count = z.number().int().nonnegative();

export const backupManifestSchema = z.object({
  format: z.literal('pustaka-backup'),
  formatVersion: z.literal(1),
  app: z.object({ name: z.string(), version: z.string() }),
  createdAt: z.string(),
  kind: backupKind,
  /** Last PGlite migration applied in the snapshot. */
  schemaVersion: z.number().int(),
  /** `PRAGMA user_version` of collections.db in the snapshot. */
  sqliteUserVersion: z.number().int(),
  versions: z.object({ pglite: z.string(), postgres: z.string(), sqlite: z.string(), sqliteVec: z.string() }),
  counts: z.object({
    /** Rows per PGlite table. */
    tables: z.record(z.string(), count),
    chunks: count,
    collections: z.array(
      z.object({ id: z.number().int(), name: z.string(), documents: count, chunks: count }),
    ),
  }),
  /** GGUF models registered when the backup was taken (the files themselves are not in it). */
  models: z.array(z.object({ name: z.string(), kind: z.string(), sha256: z.string(), sizeBytes: count })),
  members: z.array(z.object({ name: z.string(), sizeBytes: count, sha256: z.string() })),
});
export type BackupManifest = z.output<typeof backupManifestSchema>;

export const backupInfoSchema = z.object({
  id: z.number().int(),
  fileName: z.string(),
  path: z.string(),
  kind: backupKind,
  status: backupStatus,
  sizeBytes: z.number().int().nullable(),
  sha256: z.string().nullable(),
  encrypted: z.boolean(),
  createdAt: z.string(),
  verifiedAt: z.string().nullable(),
  error: z.string().nullable(),
  /** False when the archive file is gone from the backups folder (or the row names a file elsewhere). */
  fileExists: z.boolean(),
  /**
   * False for a catalogue row naming a file outside this data folder's backups folder (left by a
   * copied or restored catalogue): Pustaka neither uses nor deletes that file.
   */
  inBackupsDir: z.boolean(),
  /** Null for encrypted archives found on disk (their manifest needs the passphrase). */
  appVersion: z.string().nullable(),
  schemaVersion: z.number().int().nullable(),
  counts: z.object({ collections: count, documents: count, chunks: count }).nullable(),
});
export type BackupInfo = z.output<typeof backupInfoSchema>;

export const backupProgressEvent = z.object({
  type: z.literal('progress'),
  phase: z.enum(['snapshot', 'archive', 'extract', 'check', 'safety-backup']),
  bytesDone: z.number(),
  /** 0 when unknown. */
  bytesTotal: z.number(),
  elapsedMs: z.number(),
});
export type BackupProgressEvent = z.output<typeof backupProgressEvent>;

/**
 * How an archive's content was authenticated. Plain archives carry an HMAC of their manifest under
 * the key of the installation that wrote them; encrypted ones are authenticated by their
 * passphrase. `unsigned`: made by a Pustaka from before signatures (accepted, with a warning);
 * `foreign`: signed by another installation and accepted because `trustForeign` was given.
 */
export const archiveIntegritySchema = z.object({
  status: z.enum(['signed', 'encrypted', 'unsigned', 'foreign']),
  detail: z.string(),
  /** Set for `unsigned` and `foreign`: to show the user. */
  warning: z.string().nullable(),
});
export type ArchiveIntegrity = z.output<typeof archiveIntegritySchema>;

/**
 * Accept an unencrypted archive signed by another Pustaka installation (refused otherwise, since
 * this installation cannot tell whether it was changed); its checksums are still checked.
 */
const trustForeign = z.boolean().default(false);

export const pendingRestoreSchema = z.object({
  backupPath: z.string(),
  stagedAt: z.string(),
  stagingDir: z.string(),
  safetyBackupPath: z.string().nullable(),
});
export type PendingRestore = z.output<typeof pendingRestoreSchema>;

export const backupListContract = defineMethod({
  method: 'backup.list',
  summary: 'Backup archives, newest first, with size, status and verification time.',
  params: z
    .object({ includeDeleted: z.boolean().default(false) })
    .strict()
    .default({ includeDeleted: false }),
  result: z.object({
    backups: z.array(backupInfoSchema),
    dir: z.string(),
    /** A restore staged and waiting for the data folder to be free (applied at the next start). */
    pendingRestore: pendingRestoreSchema.nullable(),
  }),
  event: noEvent,
});

export const backupCreateContract = defineMethod({
  method: 'backup.create',
  summary: 'Take a consistent backup of PGlite and collections.db into one archive (while in use).',
  params: z
    .object({ kind: z.enum(['manual', 'scheduled']).default('manual'), passphrase })
    .strict()
    .default({ kind: 'manual' }),
  result: backupInfoSchema,
  event: backupProgressEvent,
});

export const backupVerifyResult = z.object({
  backup: backupInfoSchema.nullable(),
  path: z.string(),
  manifest: backupManifestSchema,
  checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
  integrity: archiveIntegritySchema,
  durationMs: z.number(),
});

export const backupVerifyContract = defineMethod({
  method: 'backup.verify',
  summary:
    'Restore a backup into a temporary folder, check its checksums, open both stores and compare counts.',
  params: z.object({ backup: backupRef, passphrase, trustForeign }).strict(),
  result: backupVerifyResult,
  event: backupProgressEvent,
});

export const backupRestoreContract = defineMethod({
  method: 'backup.restore',
  summary:
    'Stage a backup beside the data (checked, opened, migrated forward), after a pre-restore backup; it replaces the current data when the data folder is next free.',
  params: z
    .object({
      backup: backupRef,
      passphrase,
      /** Take a `pre-restore` backup of the current data first. */
      safetyBackup: z.boolean().default(true),
      trustForeign,
    })
    .strict(),
  result: z.object({
    pending: pendingRestoreSchema,
    manifest: backupManifestSchema,
    /** Migrations that ran forward on the restored copy (a backup from an older Pustaka). */
    migratedFrom: z.number().int().nullable(),
    safetyBackup: backupInfoSchema.nullable(),
    integrity: archiveIntegritySchema,
    /** The swap needs the data folder closed: the CLI does it at once, the app on restart. */
    restartRequired: z.literal(true),
  }),
  event: backupProgressEvent,
});

export const retentionPolicySchema = z.object({
  daily: z.number().int().min(0).max(366).default(7),
  weekly: z.number().int().min(0).max(520).default(4),
  monthly: z.number().int().min(0).max(240).default(6),
});
export type RetentionPolicyParams = z.output<typeof retentionPolicySchema>;

export const backupPruneContract = defineMethod({
  method: 'backup.prune',
  summary:
    'Delete scheduled backups outside the retention policy (default 7 daily, 4 weekly, 6 monthly); manual and pre-restore ones only with includeManual, never the newest verified one.',
  params: retentionPolicySchema
    .extend({
      dryRun: z.boolean().default(false),
      /** Let the policy prune manual and pre-restore backups too (the nightly worker never does). */
      includeManual: z.boolean().default(false),
    })
    .strict()
    .default({ daily: 7, weekly: 4, monthly: 6, dryRun: false, includeManual: false }),
  result: z.object({
    dryRun: z.boolean(),
    includeManual: z.boolean(),
    policy: z.object({ daily: count, weekly: count, monthly: count }),
    kept: z.array(z.object({ backup: backupInfoSchema, reasons: z.array(z.string()) })),
    deleted: z.array(backupInfoSchema),
    freedBytes: count,
  }),
  event: noEvent,
});

export const backupDeleteContract = defineMethod({
  method: 'backup.delete',
  summary: 'Delete one backup archive.',
  params: z.object({ backup: z.number().int().positive() }).strict(),
  result: backupInfoSchema,
  event: noEvent,
});

export const collectionsExportContract = defineMethod({
  method: 'collections.export',
  summary:
    'Write one collection (documents, chunks, vectors, embedder id) to an archive another machine can import.',
  params: z
    .object({ collection: collectionRef, out: z.string().trim().min(1).max(4_096), passphrase })
    .strict(),
  result: z.object({
    path: z.string(),
    sizeBytes: count,
    sha256: z.string(),
    collection: z.string(),
    documents: count,
    chunks: count,
    embedderId: z.string(),
    durationMs: z.number(),
  }),
  event: noEvent,
});

export const collectionsImportArchiveContract = defineMethod({
  method: 'collections.importArchive',
  summary: 'Import a collection archive: searchable at once, without re-embedding.',
  params: z
    .object({
      path: z.string().trim().min(1).max(4_096),
      as: collectionName.optional(),
      passphrase,
    })
    .strict(),
  result: z.object({
    collection: collectionSchema,
    documents: count,
    chunks: count,
    /** False when the archive's embedding model is not installed here: keyword search only. */
    vectorsUsable: z.boolean(),
    warning: z.string().nullable(),
    integrity: archiveIntegritySchema,
    durationMs: z.number(),
  }),
  event: noEvent,
});
