/** The retrieve stage: hybrid search over the collections in scope. */
import { searchParams, type IndexRebuild, type SearchItem } from '../../contract/methods/search.ts';
import type { Engine } from '../../engine/engine.ts';
import { search } from '../../knowledge/retrieval/search.ts';
import type { AskContext } from './context.ts';

/**
 * The k passages most relevant to the question, best first; `rebuilding` while the search index is
 * being rebuilt (the passages may be incomplete).
 */
export async function retrievePassages(
  engine: Engine,
  ctx: AskContext,
  signal?: AbortSignal,
): Promise<{ items: SearchItem[]; rebuilding?: IndexRebuild }> {
  const { params } = ctx;
  const found = await search(
    engine,
    searchParams.parse({
      query: ctx.question,
      k: params.k,
      ...(params.collections ? { collections: params.collections } : {}),
    }),
    signal,
  );
  return found.rebuilding ? { items: found.items, rebuilding: found.rebuilding } : { items: found.items };
}
