/**
 * Scores golden-answer matching on the paraphrase set the way the engine matches (exact hash,
 * filler-insensitive key, then the nearest canonical question above a threshold that passes the
 * near-miss guard): hit rate on paraphrases, wrong hits among all answers served.
 */
import type { Embedder } from '../../core/models/embed/types.ts';
import { nearMissReason } from '../../core/assistant/golden/near-miss.ts';
import { questionKeys } from '../../core/assistant/golden/question-key.ts';
import type { ParaphraseGroup } from './paraphrases.ts';

export interface MatchScore {
  threshold: number;
  paraphrases: number;
  hits: number;
  /** Served the wrong group's answer, or served one for a near-miss. */
  wrongHits: number;
  nearMisses: number;
  hitRate: number;
  /** wrongHits / all answers served (the GPTCache measure). */
  wrongHitRate: number;
}

const dot = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

export async function scoreMatching(
  embedder: Embedder,
  groups: readonly ParaphraseGroup[],
  thresholds: readonly number[],
  guard = true,
): Promise<MatchScore[]> {
  const canon = groups.map((g) => ({ text: g.canonical, key: questionKeys(g.canonical) }));
  const canonVectors = await embedder.embed(canon.map((c) => c.text));
  const queries = groups.flatMap((g, gi) => [
    ...g.same.map((q) => ({ q, expected: gi })),
    ...g.different.map((q) => ({ q, expected: -1 })),
  ]);
  const queryVectors = await embedder.embed(queries.map((x) => x.q));
  // Per query: an exact/loose match (threshold-free) or the semantic candidates, best first.
  const prepared = queries.map((x, i) => {
    const key = questionKeys(x.q);
    const exact = canon.findIndex(
      (c) => c.key.hash === key.hash || (key.looseKey !== '' && c.key.looseKey === key.looseKey),
    );
    const ranked = canon
      .map((c, ci) => ({ ci, sim: dot(canonVectors[ci]!, queryVectors[i]!) }))
      .sort((a, b) => b.sim - a.sim)
      .slice(0, 5);
    return { ...x, exact, ranked };
  });
  return thresholds.map((threshold) => {
    let hits = 0;
    let wrong = 0;
    let served = 0;
    for (const p of prepared) {
      let got = p.exact;
      if (got < 0) {
        for (const r of p.ranked) {
          if (r.sim < threshold) break;
          if (guard && nearMissReason(p.q, canon[r.ci]!.text) !== null) continue;
          got = r.ci;
          break;
        }
      }
      if (got < 0) continue;
      served++;
      if (got === p.expected) hits++;
      else wrong++;
    }
    const paraphrases = prepared.filter((p) => p.expected >= 0).length;
    return {
      threshold,
      paraphrases,
      hits,
      wrongHits: wrong,
      nearMisses: prepared.length - paraphrases,
      hitRate: hits / paraphrases,
      wrongHitRate: served ? wrong / served : 0,
    };
  });
}
