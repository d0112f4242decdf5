// Ranking metrics for one relevant document per query (binary relevance).

export interface Metrics {
  queries: number;
  r1: number;
  r5: number;
  r10: number;
  mrr: number;
  ndcg10: number;
}

/** `ranked`: document ids, best first, each once. */
export function scoreRanking(ranked: readonly number[], relevant: number) {
  const at = ranked.indexOf(relevant); // 0-based, -1 when absent
  const within = (k: number) => (at >= 0 && at < k ? 1 : 0);
  return {
    r1: within(1),
    r5: within(5),
    r10: within(10),
    mrr: at >= 0 && at < 10 ? 1 / (at + 1) : 0,
    // Ideal DCG is 1 (the one relevant document first).
    ndcg10: at >= 0 && at < 10 ? 1 / Math.log2(at + 2) : 0,
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
