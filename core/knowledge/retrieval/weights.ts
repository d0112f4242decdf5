import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';

/** How much each ranked list counts in reciprocal-rank fusion (see fusion.ts). */
export interface FusionWeights {
  vector: number;
  keyword: number;
  /** RRF's rank constant: larger flattens the difference between rank 1 and rank 20. */
  rrfK: number;
}

/**
 * For embedders without measured weights (neural GGUF models): equal weights, the usual k = 60.
 * Published BEIR runs show equal-weight RRF of BM25 and a good dense model beating either alone.
 * Weights are given as shares (vector + keyword = 1) so that lists of collections with different
 * embedders fuse on one scale.
 */
export const DEFAULT_FUSION: Readonly<FusionWeights> = { vector: 0.5, keyword: 0.5, rrfK: 60 };

/**
 * Measured per embedder with `npm run eval` (bench/eval/: tuned on the dev half of 1,514 section
 * titles of the Debian handbook and the PostgreSQL manual, checked on the other half). The hashed
 * n-gram embedder is far weaker than BM25 (nDCG@10 0.37 vs 0.80 on exact titles) and equal weights
 * cost 0.17 nDCG@10 there. Any weight that lets its list reorder BM25's top results costs a little
 * on exact titles; at this weight it only fills in where BM25 finds few or no passages (words in
 * another form, typos), which lifts reworded queries from 0.315 to 0.328 and leaves exact ones as
 * good as BM25 alone.
 */
export const FUSION_BY_EMBEDDER: Readonly<Record<string, Readonly<FusionWeights>>> = {
  [BUILTIN_EMBEDDER.id]: { vector: 0.01, keyword: 0.99, rrfK: 60 },
};

export function fusionWeights(embedderId: string): FusionWeights {
  return { ...(FUSION_BY_EMBEDDER[embedderId] ?? DEFAULT_FUSION) };
}
