/**
 * What an answering stage (answer cache, golden, model, extractive) hands to persistence and to
 * the result: one answer, however it was made.
 */
import type { AnswerPath, CitationInfo } from '../../contract/methods/ask.ts';
import type { IndexRebuild, SearchItem } from '../../contract/methods/search.ts';
import type { GoldenMatch } from '../golden/lookup.ts';
import { citationOf } from './citations.ts';
import { extractiveAnswer, NOTHING_FOUND } from './extractive.ts';

export interface Outcome {
  path: AnswerPath;
  answer: string;
  citations: CitationInfo[];
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  status: 'complete' | 'partial';
  topScore: number | null;
  passages: number;
  goldenAnswerId: number | null;
  golden?: GoldenMatch;
  notice?: string;
  /** The search index was being rebuilt when the passages were retrieved. */
  rebuilding?: IndexRebuild;
  /** Whether the answer cache may keep it (complete rag and extractive answers without notices). */
  cacheable: boolean;
}

/** True when an error is (or follows) the caller's cancellation. */
export const isAbort = (err: unknown, signal?: AbortSignal): boolean =>
  Boolean(signal?.aborted) || (err as Error | undefined)?.name === 'AbortError';

/**
 * Extract stage: the most relevant sentences of the passages, cited, under `label` (or
 * NOTHING_FOUND); cacheable unless a notice explains why no model answered.
 */
export function extractiveOutcome(
  question: string,
  items: SearchItem[],
  label: string,
  notice?: string,
): Outcome {
  const ex = extractiveAnswer(question, items, { label });
  return {
    path: 'extractive',
    answer: ex.found ? ex.text : NOTHING_FOUND,
    citations: ex.cited.map((n) => citationOf(n, items[n - 1]!)),
    model: null,
    tokensIn: 0,
    tokensOut: 0,
    status: 'complete',
    topScore: items[0]?.score ?? null,
    passages: items.length,
    goldenAnswerId: null,
    ...(notice ? { notice } : {}),
    cacheable: !notice,
  };
}
