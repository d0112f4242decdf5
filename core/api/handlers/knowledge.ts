import {
  deleteCollection,
  getCollection,
  listCollections,
  renameCollection,
  setCollectionOcr,
} from '../../knowledge/collections/collections.ts';
import {
  documentChunkPage,
  documentRelations,
  documentSteps,
  getDocument,
  listDocuments,
} from '../../knowledge/documents/document-queries.ts';
import { removeDocument } from '../../knowledge/documents/documents.ts';
import { importPaths, resumeImports } from '../../knowledge/import/import-service.ts';
import { listJobSummaries } from '../../knowledge/import/jobs.ts';
import { watchAndSync } from '../../knowledge/import/watch.ts';
import { setCollectionEmbedder } from '../../knowledge/import/reembed-job.ts';
import { search } from '../../knowledge/retrieval/search.ts';
import { createUserCollection } from '../../knowledge/collections/create-collection.ts';
import type { Handlers } from '../handler.ts';

/** The collections, imports, documents and search methods: thin adapters from validated params to the engine's modules. */
export const knowledgeHandlers = {
  'collections.list': (_p, { engine }) => listCollections(engine.db, engine.vectors),
  'collections.get': (p, { engine }) => getCollection(engine.db, engine.vectors, p.collection),
  'collections.create': (p, { engine, signal }) => createUserCollection(engine, p, signal),
  'collections.rename': (p, { engine }) => renameCollection(engine, p.collection, p.name),
  'collections.delete': (p, { engine }) => deleteCollection(engine, p.collection),
  'collections.setOcr': (p, { engine }) => setCollectionOcr(engine, p.collection, p.ocr),
  'collections.setEmbedder': (p, { engine, signal, emit }) =>
    setCollectionEmbedder(engine, p.collection, p.model, { signal, emit }),
  'import.run': (p, { engine, signal, emit }) => importPaths(engine, p, { signal, emit }),
  'import.resume': (_p, { engine, signal, emit }) => resumeImports(engine, { signal, emit }),
  'import.watch': (p, { engine, signal, emit }) => watchAndSync(engine, p, { signal, emit }),
  'jobs.list': (p, { engine }) => listJobSummaries(engine.db, p.limit),
  'documents.list': async (p, { engine }) => {
    const c = await getCollection(engine.db, engine.vectors, p.collection);
    return listDocuments(engine.db, c.id, p);
  },
  'documents.get': async (p, { engine }) => {
    const doc = await getDocument(engine.db, p.id);
    return {
      ...doc,
      ...(await documentRelations(engine.db, doc)),
      steps: await documentSteps(engine.db, p.id),
    };
  },
  'documents.chunks': async (p, { engine }) => {
    await getDocument(engine.db, p.id);
    return documentChunkPage(engine.vectors, p.id, p.limit, p.offset);
  },
  'documents.delete': (p, { engine }) => removeDocument(engine, p.id),
  search: (p, { engine, signal }) => search(engine, p, signal),
} satisfies Partial<Handlers>;
