/**
 * Backups (consistent snapshots of both stores in one archive, verification, restore, retention)
 * and collection archives. The nightly worker calls `createBackup(engine, { kind: 'scheduled' },
 * { signal })` and `pruneBackups(engine)` from its maintenance step; the app's engine host calls
 * `applyPendingRestore(dataDir)` before it (re)opens the engine.
 */
export { createBackup, type BackupRunOptions, type CreateBackupOptions } from './create.ts';
export { verifyBackup, type VerifyResult } from './verify.ts';
export { applyPendingRestore, prepareRestore, readPendingRestore, type AppliedRestore } from './restore.ts';
export {
  deleteBackup,
  hasRecentBackup,
  listBackups,
  pruneBackups,
  type PruneOptions,
  type PruneResult,
} from './prune.ts';
export { DEFAULT_RETENTION, planRetention, type RetentionPolicy } from './retention.ts';
export { exportCollection } from './collection-export.ts';
export { importCollectionArchive } from './collection-import.ts';
