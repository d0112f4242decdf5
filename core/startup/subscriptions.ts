import { subscribeAnswerCache } from '../assistant/ask/answer-cache.ts';
import { subscribeGolden } from '../assistant/golden/lookup.ts';
import type { Engine } from '../engine/engine.ts';
import { subscribeSearchCache } from '../knowledge/retrieval/search-cache.ts';

/** Derived state follows the data: each feature subscribes its own caches and indexes, once. */
export function subscribeDerivedState(engine: Engine): void {
  subscribeSearchCache(engine);
  subscribeAnswerCache(engine);
  subscribeGolden(engine);
}
