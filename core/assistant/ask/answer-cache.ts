import type { Engine } from '../../engine/engine.ts';

/**
 * Cached answers are right until what they were made from changes: the passages, the collections,
 * the golden answers (a cached generated answer must not hide one approved since) or the models.
 */
export function subscribeAnswerCache(engine: Engine): void {
  const clear = () => engine.caches.get('answers').clear();
  engine.events.on('documents-changed', clear);
  engine.events.on('collections-changed', clear);
  engine.events.on('golden-changed', clear);
  engine.events.on('model-changed', clear);
}
