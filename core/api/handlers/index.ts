import {
  deleteCollection,
  getCollection,
  listCollections,
  renameCollection,
} from '../../collections/collections.ts';
import {
  documentChunkPage,
  documentSteps,
  getDocument,
  listDocuments,
} from '../../ingest/document-queries.ts';
import { deleteDocument } from '../../ingest/documents.ts';
import { importPaths, resumeImports } from '../../ingest/import-service.ts';
import { listJobs } from '../../ingest/jobs.ts';
import { watchAndSync } from '../../ingest/watch.ts';
import { importModel, removeModel, useModel } from '../../llm/models.ts';
import {
  modelsCatalog,
  modelsDownload,
  modelsHardware,
  modelsInspect,
  modelsList,
} from '../../llm/models-api.ts';
import { setCollectionEmbedder } from '../../ingest/reembed-job.ts';
import { search } from '../../retrieve/search.ts';
import { ask } from '../../chat/ask.ts';
import {
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  searchConversations,
} from '../../chat/conversations.ts';
import { createUserCollection } from '../../collections/create-collection.ts';
import { collectStatus } from '../../status/status.ts';
import type { Handlers } from '../handler.ts';

/** Thin adapters from validated params to the engine's modules; no logic lives here. */
export const handlers: Handlers = {
  status: (_p, { engine }) => collectStatus(engine),
  'collections.list': (_p, { engine }) => listCollections(engine.db, engine.vectors),
  'collections.get': (p, { engine }) => getCollection(engine.db, engine.vectors, p.collection),
  'collections.create': (p, { engine, signal }) => createUserCollection(engine, p, signal),
  'collections.rename': async (p, { engine }) => {
    const renamed = await renameCollection(engine.db, engine.vectors, p.collection, p.name);
    engine.caches.get('search').clear(); // cached searches resolved the old name
    return renamed;
  },
  'collections.delete': (p, { engine }) => deleteCollection(engine.db, engine.vectors, p.collection),
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
  'documents.delete': async (p, { engine }) => {
    const doc = await getDocument(engine.db, p.id);
    const { chunks } = await deleteDocument(engine.db, engine.vectors, p.id);
    engine.caches.get('search').clear();
    engine.caches.get('answers').clear();
    return { id: doc.id, sourcePath: doc.sourcePath, chunks };
  },
  search: (p, { engine, signal }) => search(engine, p, signal),
  ask: (p, { engine, signal, emit }) => ask(engine, p, { signal, onEvent: emit }),
  'conversations.list': (p, { engine }) => listConversations(engine.db, p),
  'conversations.get': (p, { engine }) => getConversation(engine.db, p.id),
  'conversations.rename': (p, { engine }) => renameConversation(engine.db, p.id, p.title),
  'conversations.delete': (p, { engine }) => deleteConversation(engine.db, p.id),
  'conversations.search': (p, { engine }) => searchConversations(engine.db, p.query, p.limit),
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
};
