/**
 * The answer cache stage: a repeat of a question (same normalised form, scope, k and chat model,
 * no history) gets the answer made before, until what it was made from changes (answer-cache.ts).
 */
import type { CitationInfo } from '../../contract/methods/ask.ts';
import type { Engine } from '../../engine/engine.ts';
import type { AskContext } from './context.ts';
import type { Outcome } from './outcome.ts';

/** What the answer cache keeps (rag and extractive answers without notices). */
export interface CachedAnswer {
  answer: string;
  citations: CitationInfo[];
  model: string | null;
  topScore: number | null;
  passages: number;
}

/** The cache key: the question's hash, the scope, k and the chat model's file. */
export function answerCacheKey(ctx: AskContext): string {
  return JSON.stringify(['ask', ctx.key.hash, ctx.collectionIds, ctx.params.k, ctx.modelRow?.sha256 ?? null]);
}

/** The cached answer to this question as a 'cache' outcome, or undefined (also with history). */
export function lookupCachedAnswer(engine: Engine, ctx: AskContext): Outcome | undefined {
  if (!ctx.useCache) return undefined;
  const hit = engine.caches.get<CachedAnswer>('answers').get(answerCacheKey(ctx));
  if (!hit) return undefined;
  return {
    path: 'cache',
    answer: hit.answer,
    citations: hit.citations,
    model: hit.model,
    tokensIn: 0,
    tokensOut: 0,
    status: 'complete',
    topScore: hit.topScore,
    passages: hit.passages,
    goldenAnswerId: null,
    cacheable: false,
  };
}

/** Keeps a cacheable answer once it is persisted (never one made with history). */
export function storeCachedAnswer(engine: Engine, ctx: AskContext, o: Outcome): void {
  if (!o.cacheable || !ctx.useCache) return;
  engine.caches.get<CachedAnswer>('answers').set(answerCacheKey(ctx), {
    answer: o.answer,
    citations: o.citations,
    model: o.model,
    topScore: o.topScore,
    passages: o.passages,
  });
}
