/**
 * A cheap feature reranker over the fused top RERANK_POOL: each candidate chunk is scored by a
 * weighted sum of features that BM25 over chunks cannot see — the query's words in the document
 * title and the section's own heading, the query (or an identifier of it) as written, how close
 * together its words sit, how deep the section is — plus its fused rank. Pure functions; the
 * weights are tuned by `npm run eval` on the tune half of its sets.
 */
import { foldWord, queryWords } from './highlight.ts';
import { STOP_WORDS } from './stop-words.ts';

/** Fused candidates reordered (the rest keep their order below them). */
export const RERANK_POOL = 50;

export interface RerankWeights {
  /** 1 / log2(rank + 2) of the fused rank. */
  fused: number;
  /** Share of the query's content words in the document title. */
  title: number;
  /** … in the section's own (last) heading. */
  heading: number;
  /** … in the chunk's text. */
  text: number;
  /** The query as written (two words or more) in the title, a heading or the text. */
  phrase: number;
  /** Share of the query's identifiers (max_file_size, os.path.join) found whole. */
  identifier: number;
  /** Words found over the span of text they sit in. */
  proximity: number;
  /** 1 / (heading depth): a chapter's overview over a sub-sub-section. */
  depth: number;
}

/**
 * Tuned with `npm run eval` (coordinate search on the tune half, mean nDCG@10 over its sets and
 * variants: 0.856 → 0.872 on the report half against the first guess).
 */
export const RERANK_WEIGHTS: Readonly<RerankWeights> = {
  fused: 1,
  title: 0.5,
  heading: 2,
  text: 1,
  phrase: 1,
  identifier: 2,
  proximity: 0.5,
  depth: 0,
};

export interface RerankCandidate {
  chunkId: number;
  text: string;
  headingPath: readonly string[];
  title: string | null;
}

const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const IDENTIFIER = /[\p{L}\p{N}]+(?:(?:[_.\-/+]|::)+[\p{L}\p{N}]+)+/gu;

/** A light stem, so "upgrades" meets "upgrade", and "configuring" and "configuration" "configure". */
const SUFFIXES = ['ations', 'ation', 'ings', 'ing', 'ies', 'ed', 'es', 's', 'e'];
function stem(w: string): string {
  if (w.length <= 4) return w;
  for (const end of SUFFIXES)
    if (w.endsWith(end) && w.length - end.length >= 4) return w.slice(0, -end.length);
  return w;
}

const wordsOf = (s: string) => (s.match(WORD) ?? []).map((w) => stem(foldWord(w)));

export interface RerankQuery {
  terms: string[];
  /** The query's words in order, folded (for the phrase), when it has two or more. */
  phrase: string | null;
  identifiers: string[];
}

export function rerankQuery(query: string): RerankQuery {
  const all = [...queryWords(query)];
  const content = all.filter((w) => !STOP_WORDS.has(w));
  const terms = [...new Set((content.length ? content : all).map(stem))];
  const words = (query.match(WORD) ?? []).map(foldWord);
  return {
    terms,
    phrase: words.length >= 2 ? words.join(' ') : null,
    identifiers: [...new Set((query.match(IDENTIFIER) ?? []).map((s) => s.toLowerCase()))],
  };
}

const share = (terms: string[], words: Set<string>) =>
  terms.length ? terms.filter((t) => words.has(t)).length / terms.length : 0;

/** Smallest span of words holding every query term the text has: found / span. */
function proximity(terms: Set<string>, words: string[]): number {
  const last = new Map<string, number>();
  let best = Infinity;
  let found = 0;
  for (let i = 0; i < words.length; i++) {
    if (!terms.has(words[i]!)) continue;
    last.set(words[i]!, i);
    if (last.size > found) {
      found = last.size;
      best = Infinity;
    }
    if (last.size === found) best = Math.min(best, i - Math.min(...last.values()) + 1);
  }
  return found >= 2 ? found / best : 0;
}

/**
 * Whether `text` holds the identifier whole: not inside a longer word or identifier ("os.path" is
 * not in "pos.pathname"), though it may open a longer dotted or slashed name ("os.path.join").
 */
function hasWhole(text: string, id: string): boolean {
  for (let at = text.indexOf(id); at >= 0; at = text.indexOf(id, at + 1)) {
    const before = text[at - 1] ?? '';
    const after = text[at + id.length] ?? '';
    if (!ID_CHAR.test(before) && !ID_CHAR.test(after)) return true;
  }
  return false;
}
const ID_CHAR = /^[\p{L}\p{N}\p{M}_]$/u;

export type Features = Record<keyof RerankWeights, number>;

export function features(q: RerankQuery, c: RerankCandidate, rank: number): Features {
  const text = wordsOf(c.text);
  const textSet = new Set(text);
  const heading = c.headingPath.at(-1) ?? '';
  const folded = (s: string) => (s.match(WORD) ?? []).map(foldWord).join(' ');
  const lower = c.text.toLowerCase();
  const where = [c.title ?? '', ...c.headingPath, c.text];
  return {
    fused: 1 / Math.log2(rank + 2),
    title: share(q.terms, new Set(wordsOf(c.title ?? ''))),
    heading: share(q.terms, new Set(wordsOf(heading))),
    text: share(q.terms, textSet),
    phrase: q.phrase && where.some((s) => folded(s).includes(q.phrase!)) ? 1 : 0,
    identifier: q.identifiers.length
      ? q.identifiers.filter((id) => hasWhole(lower, id) || where.some((s) => hasWhole(s.toLowerCase(), id)))
          .length / q.identifiers.length
      : 0,
    proximity: proximity(new Set(q.terms), text),
    depth: 1 / Math.max(1, c.headingPath.length),
  };
}

export function score(f: Features, w: Readonly<RerankWeights>): number {
  let s = 0;
  for (const k of Object.keys(w) as (keyof RerankWeights)[]) s += w[k] * f[k];
  return s;
}

/** The candidates (in fused order) reordered by score (0..1); ties keep the fused order. */
export function rerank<T extends RerankCandidate>(
  query: string,
  candidates: readonly T[],
  w: Readonly<RerankWeights> = RERANK_WEIGHTS,
): { item: T; score: number }[] {
  const q = rerankQuery(query);
  // Every feature is within 0..1: divided by the weights' sum, so is the score shown.
  const total = Object.values(w).reduce((a, b) => a + b, 0) || 1;
  return candidates
    .map((item, rank) => ({ item, rank, score: score(features(q, item, rank), w) / total }))
    .sort((a, b) => b.score - a.score || a.rank - b.rank)
    .map(({ item, score: s }) => ({ item, score: s }));
}
