import type { Engine } from '../../engine/engine.ts';

/** Cached searches (and the resolved collection names and document catalog they use) follow the data. */
export function subscribeSearchCache(engine: Engine): void {
  const clear = () => engine.caches.get('search').clear();
  engine.events.on('documents-changed', clear);
  // A rename changes what a collection name resolves to.
  engine.events.on('collections-changed', clear);
}
