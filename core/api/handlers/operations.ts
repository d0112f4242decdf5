import { appLockService } from '../../operations/app-lock/app-lock.ts';
import { collectStatus } from '../../operations/status/status.ts';
import { collectStats } from '../../operations/analytics/stats.ts';
import { listAudit } from '../../stores/audit/list-audit.ts';
import {
  createBackup,
  deleteBackup,
  exportCollection,
  importCollectionArchive,
  listBackups,
  prepareRestore,
  pruneBackups,
  verifyBackup,
} from '../../operations/backup/index.ts';
import type { Handlers } from '../handler.ts';

/** The status, statistics, audit trail, app lock, backups and collection archives methods: thin adapters from validated params to the engine's modules. */
export const operationsHandlers = {
  status: (_p, { engine, locked }) => collectStatus(engine, locked),
  stats: (p, { engine }) => collectStats(engine.db, p),
  'appLock.status': (_p, { engine }) => engine.services.get(appLockService).status(),
  'appLock.enable': (p, { engine }) =>
    engine.services.get(appLockService).enable(p.passphrase, p.idleMinutes),
  'appLock.disable': (p, { engine }) => engine.services.get(appLockService).disable(p.passphrase),
  'appLock.unlock': async (p, { engine, connection }) => {
    const lock = engine.services.get(appLockService);
    // In-process there is no connection: the engine is the caller's own, and unlocking it is the same.
    if (p.scope !== 'connection' || !connection) return lock.unlock(p.passphrase);
    const status = await lock.verify(p.passphrase);
    connection.unlocked = true;
    return status;
  },
  'appLock.lock': (_p, { engine, connection }) => {
    // "Lock now" from a connection unlocked for itself locks it too.
    if (connection) connection.unlocked = false;
    return engine.services.get(appLockService).lock();
  },
  'appLock.setIdleMinutes': (p, { engine }) => engine.services.get(appLockService).setIdleMinutes(p.minutes),
  'audit.list': (p, { engine }) => listAudit(engine.db, p),
  'backup.list': (p, { engine }) => listBackups(engine, p.includeDeleted),
  'backup.create': (p, { engine, signal, emit }) =>
    createBackup(engine, { kind: p.kind, passphrase: p.passphrase }, { signal, onProgress: emit }),
  'backup.verify': (p, { engine, signal, emit }) =>
    verifyBackup(engine, p.backup, {
      passphrase: p.passphrase,
      trustForeign: p.trustForeign,
      signal,
      onProgress: emit,
    }),
  // Stages the restore; the swap needs the data dir closed (see core/operations/backup/restore.ts).
  'backup.restore': (p, { engine, signal, emit }) =>
    prepareRestore(engine, p.backup, {
      passphrase: p.passphrase,
      safetyBackup: p.safetyBackup,
      trustForeign: p.trustForeign,
      signal,
      onProgress: emit,
    }),
  'backup.prune': (p, { engine }) =>
    pruneBackups(
      engine,
      { daily: p.daily, weekly: p.weekly, monthly: p.monthly },
      { dryRun: p.dryRun, includeManual: p.includeManual },
    ),
  'backup.delete': (p, { engine }) => deleteBackup(engine, p.backup),
  'collections.export': (p, { engine, signal }) =>
    exportCollection(engine, p.collection, p.out, { passphrase: p.passphrase, signal }),
  'collections.importArchive': (p, { engine, signal }) =>
    importCollectionArchive(engine, p.path, {
      as: p.as,
      passphrase: p.passphrase,
      signal,
    }),
} satisfies Partial<Handlers>;
