/**
 * Rank fusion and result shaping, as pure functions (the eval harness and the tests call them
 * directly).
 *
 * Weighted reciprocal-rank fusion: a chunk at 1-based rank r in a list of weight w earns
 * w / (rrfK + r); its fused score is the sum over the lists it appears in. Ranks, not raw scores,
 * are fused, so BM25 scores and vector distances never need calibrating against each other.
 */

export interface RankedList {
  weight: number;
  /** Chunk ids, best first. */
  ids: readonly number[];
}

export interface Scored {
  chunkId: number;
  score: number;
}

/** Fused scores, best first; ties broken by the smaller chunk id, so results are stable. */
export function fuseRanks(lists: readonly RankedList[], rrfK: number): Scored[] {
  if (!(rrfK >= 0)) throw new RangeError(`rrfK must be ≥ 0, got ${rrfK}`);
  const scores = new Map<number, number>();
  for (const { weight, ids } of lists) {
    if (!(weight > 0)) continue;
    const seen = new Set<number>();
    let rank = 0;
    for (const id of ids) {
      if (seen.has(id)) continue; // a list counts a chunk once, at its best rank
      seen.add(id);
      rank++;
      scores.set(id, (scores.get(id) ?? 0) + weight / (rrfK + rank));
    }
  }
  return [...scores].map(([chunkId, score]) => ({ chunkId, score })).sort(byScore);
}

export function byScore(a: Scored, b: Scored): number {
  return b.score - a.score || a.chunkId - b.chunkId;
}

export interface SectionRef {
  documentId: number;
  headingPath: readonly string[];
  page: number | null;
}

/**
 * One key per document section: the same document and heading path. Chunks outside any heading
 * are told apart by page (a PDF without headings is otherwise one section).
 */
export function sectionKey(s: SectionRef): string {
  const where = s.headingPath.length ? s.headingPath.join('\u241f') : `p${s.page ?? ''}`;
  return `${s.documentId}\u241e${where}`;
}

/** Keeps the first (best-ranked) item of each section, in order. */
export function dedupeBySection<T extends SectionRef>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = sectionKey(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Maximal marginal relevance: picks `k` items one at a time, each maximising
 * (1 − diversity) · relevance − diversity · (highest similarity to an item already picked).
 * `relevance` should be on the same 0..1 scale as `similarity`; diversity 0 keeps the input order.
 */
export function mmr<T>(
  items: readonly T[],
  k: number,
  diversity: number,
  relevance: (item: T) => number,
  similarity: (a: T, b: T) => number,
): T[] {
  if (diversity <= 0 || items.length <= 1) return items.slice(0, k);
  const lambda = 1 - Math.min(1, diversity);
  const rest = items.map((item) => ({ item, rel: relevance(item), maxSim: -Infinity }));
  const picked: T[] = [];
  while (picked.length < k && rest.length > 0) {
    let best = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < rest.length; i++) {
      const r = rest[i]!;
      const penalty = picked.length ? r.maxSim : 0;
      const value = lambda * r.rel - (1 - lambda) * penalty;
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    }
    const [chosen] = rest.splice(best, 1);
    picked.push(chosen!.item);
    for (const r of rest) r.maxSim = Math.max(r.maxSim, similarity(r.item, chosen!.item));
  }
  return picked;
}

/** Cosine similarity of two unit vectors (0 when their dimensions differ). */
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
