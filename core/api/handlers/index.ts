import { appLockService } from '../../operations/app-lock/app-lock.ts';
import {
  deleteCollection,
  getCollection,
  listCollections,
  renameCollection,
} from '../../knowledge/collections/collections.ts';
import {
  documentChunkPage,
  documentSteps,
  getDocument,
  listDocuments,
} from '../../knowledge/documents/document-queries.ts';
import { removeDocument } from '../../knowledge/documents/documents.ts';
import { importPaths, resumeImports } from '../../knowledge/import/import-service.ts';
import { listJobs } from '../../knowledge/import/jobs.ts';
import { watchAndSync } from '../../knowledge/import/watch.ts';
import { importModel, removeModel, useModel } from '../../models/llm/models.ts';
import {
  modelsCatalog,
  modelsDownload,
  modelsHardware,
  modelsInspect,
  modelsList,
} from '../../models/llm/models-api.ts';
import { setCollectionEmbedder } from '../../knowledge/import/reembed-job.ts';
import { search } from '../../knowledge/retrieval/search.ts';
import { ask } from '../../assistant/ask/ask.ts';
import {
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  searchConversations,
} from '../../assistant/conversations/conversations.ts';
import { createUserCollection } from '../../knowledge/collections/create-collection.ts';
import { collectStatus } from '../../operations/status/status.ts';
import { collectStats } from '../../operations/analytics/stats.ts';
import {
  clientEntities,
  confirmClient,
  createClient,
  deleteClient,
  getClient,
  listClients,
  rejectClient,
  updateClient,
} from '../../business/clients.ts';
import { linkConversation } from '../../assistant/conversations/link.ts';
import { createProject, deleteProject, listProjects, updateProject } from '../../business/projects.ts';
import { proposeClients } from '../../business/proposals.ts';
import {
  addSession,
  currentSession,
  deleteSession,
  exportSessions,
  listSessions,
  startSession,
  stopSession,
} from '../../business/sessions.ts';
import { analyzeNow } from '../../assistant/memory/analyze.ts';
import {
  deleteFact,
  listConflicts,
  listEntities,
  listFacts,
  rejectFact,
  updateFact,
} from '../../assistant/memory/queries.ts';
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
import {
  approveGolden,
  createGolden,
  deleteGolden,
  editGolden,
  getGolden,
  goldenHistory,
  listGolden,
  pinGolden,
  rejectGolden,
} from '../../assistant/golden/review.ts';
import { editNote, listNotes, reviewNote } from '../../assistant/golden/notes-review.ts';
import { resolveCollections } from '../../knowledge/retrieval/scope.ts';
import { workerHandlers } from './worker.ts';

/** Thin adapters from validated params to the engine's modules; no logic lives here. */
export const handlers: Handlers = {
  status: (_p, { engine }) => collectStatus(engine),
  'collections.list': (_p, { engine }) => listCollections(engine.db, engine.vectors),
  'collections.get': (p, { engine }) => getCollection(engine.db, engine.vectors, p.collection),
  'collections.create': (p, { engine, signal }) => createUserCollection(engine, p, signal),
  'collections.rename': (p, { engine }) => renameCollection(engine, p.collection, p.name),
  'collections.delete': (p, { engine }) => deleteCollection(engine, p.collection),
  'collections.setEmbedder': (p, { engine, signal, emit }) =>
    setCollectionEmbedder(engine, p.collection, p.model, { signal, emit }),
  'import.run': (p, { engine, signal, emit }) => importPaths(engine, p, { signal, emit }),
  'import.resume': (_p, { engine, signal, emit }) => resumeImports(engine, { signal, emit }),
  'import.watch': (p, { engine, signal, emit }) => watchAndSync(engine, p, { signal, emit }),
  'jobs.list': async (p, { engine }) =>
    (await listJobs(engine.db, p.limit)).map((j) => ({
      id: Number(j.id),
      collection: j.collection_name,
      kind: j.kind,
      status: j.status,
      paths: j.paths,
      filesTotal: j.files_total,
      filesDone: j.files_done,
      filesSkipped: j.files_skipped,
      filesFailed: j.files_failed,
      chunksTotal: j.chunks_total,
      error: j.error,
      startedAt: j.started_at?.toISOString() ?? null,
      finishedAt: j.finished_at?.toISOString() ?? null,
    })),
  'documents.list': async (p, { engine }) => {
    const c = await getCollection(engine.db, engine.vectors, p.collection);
    return listDocuments(engine.db, c.id, p);
  },
  'documents.get': async (p, { engine }) => ({
    ...(await getDocument(engine.db, p.id)),
    steps: await documentSteps(engine.db, p.id),
  }),
  'documents.chunks': async (p, { engine }) => {
    await getDocument(engine.db, p.id);
    return documentChunkPage(engine.vectors, p.id, p.limit, p.offset);
  },
  'documents.delete': (p, { engine }) => removeDocument(engine, p.id),
  search: (p, { engine, signal }) => search(engine, p, signal),
  ask: (p, { engine, signal, emit }) => ask(engine, p, { signal, onEvent: emit }),
  'conversations.list': (p, { engine }) => listConversations(engine.db, p),
  'conversations.get': (p, { engine }) => getConversation(engine.db, p.id),
  'conversations.rename': (p, { engine }) => renameConversation(engine.db, p.id, p.title),
  'conversations.delete': (p, { engine }) => deleteConversation(engine.db, p.id),
  'conversations.search': (p, { engine }) => searchConversations(engine.db, p.query, p.limit),
  'conversations.link': (p, { engine }) => linkConversation(engine.db, p),
  'clients.list': (p, { engine }) => listClients(engine.db, p),
  'clients.get': async (p, { engine }) => {
    const client = await getClient(engine.db, p.client);
    return {
      ...client,
      projectList: (await listProjects(engine.db, { client: client.id, limit: 1000, offset: 0 })).projects,
      entities: await clientEntities(engine.db, client.id),
    };
  },
  'clients.create': (p, { engine }) => createClient(engine.db, p),
  'clients.update': ({ client, ...fields }, { engine }) => updateClient(engine.db, client, fields),
  'clients.confirm': (p, { engine }) => confirmClient(engine.db, p.client),
  'clients.reject': (p, { engine }) => rejectClient(engine.db, p.client),
  'clients.delete': (p, { engine }) => deleteClient(engine.db, p.client),
  'clients.propose': (_p, { engine }) => proposeClients(engine.db),
  'projects.list': (p, { engine }) => listProjects(engine.db, p),
  'projects.create': ({ client, ...fields }, { engine }) => createProject(engine.db, client, fields),
  'projects.update': ({ id, ...fields }, { engine }) => updateProject(engine.db, id, fields),
  'projects.delete': (p, { engine }) => deleteProject(engine.db, p.id),
  'sessions.start': (p, { engine }) => startSession(engine.db, p),
  'sessions.stop': (p, { engine }) => stopSession(engine.db, p),
  'sessions.current': (_p, { engine }) => currentSession(engine.db),
  'sessions.add': (p, { engine }) => addSession(engine.db, p),
  'sessions.list': (p, { engine }) => listSessions(engine.db, p),
  'sessions.delete': (p, { engine }) => deleteSession(engine.db, p.id),
  'sessions.export': (p, { engine }) => exportSessions(engine.db, p),
  'memory.facts': (p, { engine }) => listFacts(engine.db, p),
  'memory.updateFact': (p, { engine }) => updateFact(engine.db, p),
  'memory.rejectFact': (p, { engine }) => rejectFact(engine.db, p.id),
  'memory.deleteFact': (p, { engine }) => deleteFact(engine.db, p.id),
  'memory.conflicts': (p, { engine }) => listConflicts(engine.db, p),
  'memory.entities': (p, { engine }) => listEntities(engine.db, p),
  'memory.analyze': (p, { engine, signal }) => analyzeNow(engine, p, signal),
  stats: (p, { engine }) => collectStats(engine.db, p),
  'models.list': (_p, { engine }) => modelsList(engine),
  'models.inspect': (p, { engine }) => modelsInspect(engine, p.model),
  'models.import': (p, { engine, signal, emit }) =>
    importModel(
      engine,
      { path: p.path, mode: p.link ? 'link' : 'copy', ...(p.name ? { name: p.name } : {}) },
      { signal, emit },
    ),
  'models.download': (p, { engine, signal, emit }) =>
    modelsDownload(engine, p.name, { allowUnverified: p.allowUnverified, signal, emit }),
  'models.catalog': (_p, { engine }) => modelsCatalog(engine),
  'models.use': (p, { engine }) => useModel(engine, p.model, p.role),
  'models.remove': (p, { engine }) => removeModel(engine, p.model),
  'models.hardware': (_p, { engine }) => modelsHardware(engine),
  'appLock.status': (_p, { engine }) => engine.services.get(appLockService).status(),
  'appLock.enable': (p, { engine }) =>
    engine.services.get(appLockService).enable(p.passphrase, p.idleMinutes),
  'appLock.disable': (p, { engine }) => engine.services.get(appLockService).disable(p.passphrase),
  'appLock.unlock': (p, { engine }) => engine.services.get(appLockService).unlock(p.passphrase),
  'appLock.lock': (_p, { engine }) => engine.services.get(appLockService).lock(),
  'appLock.setIdleMinutes': (p, { engine }) => engine.services.get(appLockService).setIdleMinutes(p.minutes),
  'audit.list': (p, { engine }) => listAudit(engine.db, p),
  'backup.list': (p, { engine }) => listBackups(engine, p.includeDeleted),
  'backup.create': (p, { engine, signal, emit }) =>
    createBackup(engine, { kind: p.kind, passphrase: p.passphrase }, { signal, onProgress: emit }),
  'backup.verify': (p, { engine, signal, emit }) =>
    verifyBackup(engine, p.backup, { passphrase: p.passphrase, signal, onProgress: emit }),
  // Stages the restore; the swap needs the data dir closed (see core/operations/backup/restore.ts).
  'backup.restore': (p, { engine, signal, emit }) =>
    prepareRestore(engine, p.backup, {
      passphrase: p.passphrase,
      safetyBackup: p.safetyBackup,
      signal,
      onProgress: emit,
    }),
  'backup.prune': (p, { engine }) =>
    pruneBackups(engine, { daily: p.daily, weekly: p.weekly, monthly: p.monthly }, { dryRun: p.dryRun }),
  'backup.delete': (p, { engine }) => deleteBackup(engine, p.backup),
  'collections.export': (p, { engine, signal }) =>
    exportCollection(engine, p.collection, p.out, { passphrase: p.passphrase, signal }),
  'golden.list': (p, { engine }) => listGolden(engine.db, p),
  'golden.get': (p, { engine }) => getGolden(engine.db, p.id),
  'golden.approve': async (p, { engine }) => ({ approved: await approveGolden(engine, p.ids) }),
  'golden.reject': (p, { engine }) => rejectGolden(engine, p.id, p.reason),
  'golden.edit': (p, { engine }) => editGolden(engine, p.id, p),
  'golden.pin': (p, { engine }) => pinGolden(engine, p.id, p.pinned),
  'golden.create': async (p, { engine }) => {
    const scope = p.collections
      ? (await resolveCollections(engine.db, engine.vectors, engine.caches.get('search'), p.collections)).map(
          (c) => c.id,
        )
      : null;
    return createGolden(engine, { ...p, collectionIds: scope });
  },
  'golden.history': (p, { engine }) => goldenHistory(engine.db, p.id),
  'golden.delete': (p, { engine }) => deleteGolden(engine, p.id),
  'notes.list': (p, { engine }) => listNotes(engine.db, p.status, p.limit),
  'notes.review': (p, { engine }) => reviewNote(engine.db, p.id, p.decision),
  'notes.edit': (p, { engine }) => editNote(engine.db, p),
  ...workerHandlers,
  'collections.importArchive': (p, { engine, signal }) =>
    importCollectionArchive(engine, p.path, { as: p.as, passphrase: p.passphrase, signal }),
};
