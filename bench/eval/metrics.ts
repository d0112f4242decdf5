// Ranking metrics with binary relevance; a query may have several relevant documents (an index
// entry that links to three pages). R@k is the share of queries with a relevant document in the
// first k (success at k, the same as recall for one relevant document); MRR@10 takes the first
// relevant one; nDCG@10's ideal ranking puts every relevant document first.

export interface Metrics {
  queries: number;
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
  ndcg10: number;
}

/** `ranked`: document ids, best first, each once. */
export function scoreRanking(ranked: readonly number[], relevant: number | readonly number[]) {
  const rel = new Set(typeof relevant === 'number' ? [relevant] : relevant);
  const top = ranked.slice(0, 10);
  const at = top.findIndex((d) => rel.has(d)); // 0-based, -1 when absent
  const within = (k: number) => (at >= 0 && at < k ? 1 : 0);
  let dcg = 0;
  top.forEach((d, i) => {
    if (rel.has(d)) dcg += 1 / Math.log2(i + 2);
  });
  let ideal = 0;
  for (let i = 0; i < Math.min(rel.size, 10); i++) ideal += 1 / Math.log2(i + 2);
  return {
    r1: within(1),
    r5: within(5),
    r10: within(10),
    mrr: at >= 0 ? 1 / (at + 1) : 0,
    ndcg10: ideal > 0 ? dcg / ideal : 0,
  };
}

export function mean(rows: readonly ReturnType<typeof scoreRanking>[]): Metrics {
  const n = rows.length || 1;
  const sum = (key: keyof ReturnType<typeof scoreRanking>) => rows.reduce((s, r) => s + r[key], 0) / n;
  return {
    queries: rows.length,
    r1: sum('r1'),
    r5: sum('r5'),
    r10: sum('r10'),
    mrr: sum('mrr'),
    ndcg10: sum('ndcg10'),
  };
}
