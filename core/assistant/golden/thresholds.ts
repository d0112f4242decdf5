/**
 * The cosine similarity a golden question must reach to be served for another wording, per
 * embedder. Similarities are not comparable across embedders (hashed n-grams score paraphrases
 * far lower than a neural model), so each has its own threshold, measured with
 * `npm run bench -- golden` on a paraphrase set with near-misses (see bench/golden.ts): the value
 * is the lowest one whose wrong-hit rate stays ≤ 1 % with the near-miss guard on.
 * A user setting (profile.settings.golden.thresholds[embedderId]) overrides it.
 */
import { BUILTIN_EMBEDDER } from '../../models/embed/builtin-spec.ts';

export const CALIBRATED_THRESHOLDS: Readonly<Record<string, number>> = {
  // Lexical (hashed n-grams): 0 wrong hits from 0.6 up on 103 paraphrases and 84 near-misses;
  // 0.7 keeps a margin (hit rate 73 % including exact matches). bench/golden.ts prints the sweep.
  [BUILTIN_EMBEDDER.id]: 0.7,
};

/** For a GGUF embedder nobody calibrated here: strict, so a wrong hit stays unlikely. */
export const UNCALIBRATED_THRESHOLD = 0.9;

export function thresholdFor(embedderId: string, overrides?: Readonly<Record<string, number>>): number {
  const own = overrides?.[embedderId];
  if (typeof own === 'number' && own > 0 && own <= 1) return own;
  return CALIBRATED_THRESHOLDS[embedderId] ?? UNCALIBRATED_THRESHOLD;
}
