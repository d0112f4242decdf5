/**
 * The golden stage: an approved answer to the same question (exact, variation, filler-insensitive)
 * or to a close paraphrase that agrees on every number, code, date, name and negation.
 */
import type { Engine } from '../../engine/engine.ts';
import { whenIndexReplaced } from '../../knowledge/import/index-rebuild.ts';
import { isIndexRebuilding } from '../../stores/store-damage.ts';
import { findGolden } from '../golden/lookup.ts';
import { sourcesToCitations } from '../golden/sources.ts';
import type { AskContext } from './context.ts';
import type { Outcome } from './outcome.ts';

/** The golden answer as a 'golden' outcome, or undefined. Semantic matches only without history. */
export async function lookupGoldenAnswer(
  engine: Engine,
  ctx: AskContext,
  signal?: AbortSignal,
): Promise<Outcome | undefined> {
  const find = () =>
    findGolden(engine, ctx.question, ctx.key, ctx.collectionIds, {
      signal,
      semantic: ctx.history.length === 0,
    });
  let g: Awaited<ReturnType<typeof find>>;
  try {
    g = await find();
  } catch (err) {
    // The golden index lives in collections.db: found damaged, it is replaced; ask the new one.
    if (!isIndexRebuilding(err)) throw err;
    await whenIndexReplaced(engine);
    g = await find();
  }
  if (!g) return undefined;
  return {
    path: 'golden',
    answer: g.answer,
    citations: sourcesToCitations(g.sources),
    model: null,
    tokensIn: 0,
    tokensOut: 0,
    status: 'complete',
    topScore: g.similarity,
    passages: 0,
    goldenAnswerId: g.id,
    golden: g,
    cacheable: false,
  };
}
