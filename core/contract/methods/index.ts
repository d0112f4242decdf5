import {
  collectionsCreateContract,
  collectionsDeleteContract,
  collectionsGetContract,
  collectionsListContract,
  collectionsRenameContract,
  collectionsSetEmbedderContract,
  collectionsSetOcrContract,
} from './collections.ts';
import {
  documentsChunksContract,
  documentsDeleteContract,
  documentsGetContract,
  documentsListContract,
} from './documents.ts';
import { importResumeContract, importRunContract, importWatchContract, jobsListContract } from './imports.ts';
import {
  modelsCatalogContract,
  modelsDownloadContract,
  modelsHardwareContract,
  modelsImportContract,
  modelsInspectContract,
  modelsListContract,
  modelsRemoveContract,
  modelsUseContract,
} from './models.ts';
import { searchContract } from './search.ts';
import {
  askContract,
  conversationsDeleteContract,
  conversationsGetContract,
  conversationsListContract,
  conversationsRenameContract,
  conversationsSearchContract,
} from './ask.ts';
import { statusContract } from './status.ts';
import {
  goldenApproveContract,
  goldenCreateContract,
  goldenDeleteContract,
  goldenEditContract,
  goldenGetContract,
  goldenHistoryContract,
  goldenListContract,
  goldenPinContract,
  goldenRejectContract,
} from './golden.ts';
import { notesEditContract, notesListContract, notesReviewContract } from './notes.ts';
import {
  workerActivityContract,
  workerHistoryContract,
  workerRunContract,
  workerSettingsContract,
  workerStatusContract,
  workerStopContract,
} from './worker.ts';
import {
  backupCreateContract,
  backupDeleteContract,
  backupListContract,
  backupPruneContract,
  backupRestoreContract,
  backupVerifyContract,
  collectionsExportContract,
  collectionsImportArchiveContract,
} from './backup.ts';
import {
  clientsConfirmContract,
  clientsCreateContract,
  clientsDeleteContract,
  clientsGetContract,
  clientsListContract,
  clientsProposeContract,
  clientsRejectContract,
  clientsUpdateContract,
  conversationsLinkContract,
  projectsCreateContract,
  projectsDeleteContract,
  projectsListContract,
  projectsUpdateContract,
  sessionsAddContract,
  sessionsCurrentContract,
  sessionsDeleteContract,
  sessionsExportContract,
  sessionsListContract,
  sessionsStartContract,
  sessionsStopContract,
} from './crm.ts';
import {
  memoryAnalyzeContract,
  memoryConflictsContract,
  memoryDeleteFactContract,
  memoryEntitiesContract,
  memoryFactsContract,
  memoryRejectFactContract,
  memoryUpdateFactContract,
} from './memory.ts';
import { statsContract } from './stats.ts';
import {
  appLockDisableContract,
  appLockEnableContract,
  appLockLockContract,
  appLockSetIdleMinutesContract,
  appLockStatusContract,
  appLockUnlockContract,
} from './app-lock.ts';
import { auditListContract } from './audit.ts';

/** Every method of the API: the one list the dispatcher, the carriers and the client share. */
export const contracts = {
  status: statusContract,
  'collections.list': collectionsListContract,
  'collections.get': collectionsGetContract,
  'collections.create': collectionsCreateContract,
  'collections.rename': collectionsRenameContract,
  'collections.delete': collectionsDeleteContract,
  'collections.setEmbedder': collectionsSetEmbedderContract,
  'collections.setOcr': collectionsSetOcrContract,
  'import.run': importRunContract,
  'import.resume': importResumeContract,
  'import.watch': importWatchContract,
  'jobs.list': jobsListContract,
  'documents.list': documentsListContract,
  'documents.get': documentsGetContract,
  'documents.chunks': documentsChunksContract,
  'documents.delete': documentsDeleteContract,
  'models.list': modelsListContract,
  'models.inspect': modelsInspectContract,
  'models.import': modelsImportContract,
  'models.download': modelsDownloadContract,
  'models.catalog': modelsCatalogContract,
  'models.use': modelsUseContract,
  'models.remove': modelsRemoveContract,
  'models.hardware': modelsHardwareContract,
  search: searchContract,
  ask: askContract,
  'conversations.list': conversationsListContract,
  'conversations.get': conversationsGetContract,
  'conversations.rename': conversationsRenameContract,
  'conversations.delete': conversationsDeleteContract,
  'conversations.search': conversationsSearchContract,
  'golden.list': goldenListContract,
  'golden.get': goldenGetContract,
  'golden.approve': goldenApproveContract,
  'golden.reject': goldenRejectContract,
  'golden.edit': goldenEditContract,
  'golden.pin': goldenPinContract,
  'golden.create': goldenCreateContract,
  'golden.history': goldenHistoryContract,
  'golden.delete': goldenDeleteContract,
  'notes.list': notesListContract,
  'notes.review': notesReviewContract,
  'notes.edit': notesEditContract,
  'worker.run': workerRunContract,
  'worker.status': workerStatusContract,
  'worker.history': workerHistoryContract,
  'worker.activity': workerActivityContract,
  'worker.stop': workerStopContract,
  'worker.settings': workerSettingsContract,
  'conversations.link': conversationsLinkContract,
  'clients.list': clientsListContract,
  'clients.get': clientsGetContract,
  'clients.create': clientsCreateContract,
  'clients.update': clientsUpdateContract,
  'clients.confirm': clientsConfirmContract,
  'clients.reject': clientsRejectContract,
  'clients.delete': clientsDeleteContract,
  'clients.propose': clientsProposeContract,
  'projects.list': projectsListContract,
  'projects.create': projectsCreateContract,
  'projects.update': projectsUpdateContract,
  'projects.delete': projectsDeleteContract,
  'sessions.start': sessionsStartContract,
  'sessions.stop': sessionsStopContract,
  'sessions.current': sessionsCurrentContract,
  'sessions.add': sessionsAddContract,
  'sessions.list': sessionsListContract,
  'sessions.delete': sessionsDeleteContract,
  'sessions.export': sessionsExportContract,
  'memory.facts': memoryFactsContract,
  'memory.updateFact': memoryUpdateFactContract,
  'memory.rejectFact': memoryRejectFactContract,
  'memory.deleteFact': memoryDeleteFactContract,
  'memory.conflicts': memoryConflictsContract,
  'memory.entities': memoryEntitiesContract,
  'memory.analyze': memoryAnalyzeContract,
  stats: statsContract,
  'appLock.status': appLockStatusContract,
  'appLock.enable': appLockEnableContract,
  'appLock.disable': appLockDisableContract,
  'appLock.unlock': appLockUnlockContract,
  'appLock.lock': appLockLockContract,
  'appLock.setIdleMinutes': appLockSetIdleMinutesContract,
  'audit.list': auditListContract,
  'backup.list': backupListContract,
  'backup.create': backupCreateContract,
  'backup.verify': backupVerifyContract,
  'backup.restore': backupRestoreContract,
  'backup.prune': backupPruneContract,
  'backup.delete': backupDeleteContract,
  'collections.export': collectionsExportContract,
  'collections.importArchive': collectionsImportArchiveContract,
} as const;

export type Contracts = typeof contracts;
export type MethodName = keyof Contracts;
export const METHOD_NAMES = Object.keys(contracts) as MethodName[];

export * from './collections.ts';
export * from './documents.ts';
export * from './imports.ts';
export * from './models.ts';
export * from './search.ts';
export * from './ask.ts';
export * from './status.ts';
export * from './golden.ts';
export * from './worker.ts';
export * from './notes.ts';
export * from './backup.ts';
export * from './crm.ts';
export * from './memory.ts';
export * from './stats.ts';
export * from './app-lock.ts';
export * from './audit.ts';
