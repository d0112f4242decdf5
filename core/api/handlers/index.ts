import {
  createCollection,
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
import { setCollectionEmbedder } from '../../ingest/reembed-job.ts';
import { collectStatus } from '../../status/status.ts';
import type { Handlers } from '../handler.ts';

/** Thin adapters from validated params to the engine's modules; no logic lives here. */
export const handlers: Handlers = {
  status: (_p, { engine }) => collectStatus(engine),
  'collections.list': (_p, { engine }) => listCollections(engine.db, engine.vectors),
  'collections.get': (p, { engine }) => getCollection(engine.db, engine.vectors, p.collection),
  'collections.create': (p, { engine }) => createCollection(engine.db, engine.vectors, p),
  'collections.rename': (p, { engine }) => renameCollection(engine.db, engine.vectors, p.collection, p.name),
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
};
