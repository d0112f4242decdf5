/** Keyword search over the FTS5 index, with common terms left out of a query within a postings budget. */
import { ftsTerms, toFtsQuery } from './fts-query.ts';
import { countChunks } from './chunks.ts';
import { assertId, type StoreContext } from './context.ts';
import type { KeywordHit, KeywordOptions } from './types.ts';

/** Default KeywordOptions.postingsBudget. */
export const FTS_POSTINGS_BUDGET = 40_000;
/**
 * A term in more than this share of all chunks (and in more than COMMON_TERM_MIN_DF of them) is
 * left out of a query that has rarer terms: its BM25 weight is small and its cost is not.
 */
export const COMMON_TERM_SHARE = 0.05;
export const COMMON_TERM_MIN_DF = 5_000;

export interface KeywordSearch {
  search(collectionIds: number[], text: string, k: number, opts?: KeywordOptions): KeywordHit[];
}

/** Document frequencies of terms from fts5vocab, cached until the next write. */
function createDocFrequencies(ctx: StoreContext) {
  let ready: boolean | undefined;
  const docFrequency = new Map<string, number>();
  let stamp = '';
  const state = { totalChunks: 0 };
  function vocabReady(): boolean {
    if (ready === undefined) {
      try {
        // TEMP: lives with this connection only and never touches the file's schema.
        ctx.db.exec(
          `CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_fts_vocab USING fts5vocab(main, 'chunks_fts', 'row')`,
        );
        ready = true;
      } catch {
        ready = false;
      }
    }
    return ready;
  }
  /** Number of chunks containing each term; null when unknown. */
  function lookup(terms: string[]): number[] | null {
    if (!vocabReady()) return null;
    const now = ctx.changeStamp();
    if (now !== stamp || docFrequency.size > 50_000) {
      docFrequency.clear();
      stamp = now;
      state.totalChunks = countChunks(ctx);
    }
    const get = ctx.stmt('SELECT doc FROM temp.chunks_fts_vocab WHERE term = ?').pluck();
    return terms.map((t) => {
      let df = docFrequency.get(t);
      if (df === undefined) {
        df = (get.get(t) as number | undefined) ?? 0;
        docFrequency.set(t, df);
      }
      return df;
    });
  }
  return { lookup, totalChunks: () => state.totalChunks };
}

type DocFrequencies = ReturnType<typeof createDocFrequencies>;

/** The MATCH expression for `text` within the postings budget, or null when nothing can match. */
function budgetedMatch(frequencies: DocFrequencies, text: string, budget: number): string | null {
  const terms = ftsTerms(text);
  if (terms.length <= 1) return toFtsQuery(text);
  const dfs = frequencies.lookup(terms);
  if (!dfs) return toFtsQuery(text);
  const order = terms.map((t, i) => ({ t, df: dfs[i]! })).filter((x) => x.df > 0);
  if (order.length === 0) return null;
  order.sort((a, b) => a.df - b.df);
  const common = Math.max(COMMON_TERM_MIN_DF, COMMON_TERM_SHARE * frequencies.totalChunks());
  const kept: string[] = [];
  let postings = 0;
  for (const { t, df } of order) {
    if (kept.length > 0 && (postings + df > budget || df > common)) break;
    kept.push(t);
    postings += df;
  }
  return kept.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ');
}

type Bm25Row = { chunkId: number; bm: number };

/** Column weights: body text 1.0, heading path 0.5. */
function matchRows(
  { stmt }: StoreContext,
  match: string,
  collectionIds: number[],
  allCollections: boolean,
  limit: number,
  documentIds: number[] | undefined,
): Bm25Row[] {
  if (documentIds) {
    return stmt(
      `SELECT c.id AS chunkId, bm25(chunks_fts, 1.0, 0.5) AS bm
             FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
            WHERE chunks_fts MATCH ?
              AND c.document_id IN (SELECT value FROM json_each(?))
              AND c.collection_id IN (SELECT value FROM json_each(?))
            ORDER BY bm, chunkId
            LIMIT ?`,
    ).all(match, JSON.stringify(documentIds), JSON.stringify(collectionIds), limit) as Bm25Row[];
  }
  if (allCollections) {
    // Every collection is wanted: no join (it doubles the cost of a query with common terms).
    return stmt(
      `SELECT rowid AS chunkId, bm25(chunks_fts, 1.0, 0.5) AS bm
             FROM chunks_fts
            WHERE chunks_fts MATCH ?
            ORDER BY bm, chunkId
            LIMIT ?`,
    ).all(match, limit) as Bm25Row[];
  }
  return stmt(
    `SELECT c.id AS chunkId, bm25(chunks_fts, 1.0, 0.5) AS bm
             FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
            WHERE chunks_fts MATCH ?
              AND c.collection_id IN (SELECT value FROM json_each(?))
            ORDER BY bm, chunkId
            LIMIT ?`,
  ).all(match, JSON.stringify(collectionIds), limit) as Bm25Row[];
}

/** `registeredIds` lists every collection registered (to skip the join when all are wanted). */
export function createKeywordSearch(ctx: StoreContext, registeredIds: () => number[]): KeywordSearch {
  const frequencies = createDocFrequencies(ctx);
  return {
    search(collectionIds, text, k, opts = {}) {
      const limit = Math.floor(k);
      if (collectionIds.length === 0 || !(limit > 0)) return [];
      for (const id of collectionIds) assertId('collectionId', id);
      const documentIds = opts.documentIds;
      if (documentIds) {
        if (documentIds.length === 0) return [];
        for (const id of documentIds) assertId('document id', id);
      }
      const match = budgetedMatch(frequencies, text, opts.postingsBudget ?? FTS_POSTINGS_BUDGET);
      if (match === null) return [];
      const wanted = new Set(collectionIds);
      const all = !documentIds && registeredIds().every((id) => wanted.has(id));
      const rows = matchRows(ctx, match, collectionIds, all, limit, documentIds);
      return rows.map((r) => ({ chunkId: r.chunkId, score: -r.bm }));
    },
  };
}
