import {
  createCollection,
  deleteCollection,
  getCollection,
  listCollections,
  renameCollection,
} from '../../collections/collections.ts';
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
};
