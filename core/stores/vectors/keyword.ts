/** Keyword search over the FTS5 index, with common terms left out of a query within a postings budget. */
import { ftsPhrase, ftsTerms, queryPhrases, toFtsQuery } from './fts-query.ts';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { countChunks } from './chunks.ts';
import { FTS_TOKENIZER } from './schema.ts';
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

/**
 * The index's form of each term (porter stem, diacritics folded) — what fts5vocab lists — made by
 * the index's own tokenizer in a private in-memory database (writes on the store's connection
 * would count as changes and empty the caches keyed on them). Cached; a term that does not come
 * out as one token is looked up as it is.
 */
function createTermForms() {
  let db: BetterSqlite3.Database | null = null;
  const cache = new Map<string, string>();
  return (terms: string[]): string[] => {
    const todo = terms.filter((t) => !cache.has(t));
    if (todo.length > 0) {
      if (!db) {
        db = new Database(':memory:');
        db.exec(`
          CREATE VIRTUAL TABLE q USING fts5(t, tokenize = '${FTS_TOKENIZER}');
          CREATE VIRTUAL TABLE q_v USING fts5vocab(q, 'instance');
        `);
      }
      if (cache.size > 20_000) cache.clear();
      const insert = db.prepare('INSERT INTO q (rowid, t) VALUES (?, ?)');
      const read = db.prepare('SELECT doc, term FROM q_v ORDER BY doc, "offset"');
      db.prepare('DELETE FROM q').run();
      todo.forEach((t, i) => insert.run(i + 1, t));
      const out = new Map<number, string[]>();
      for (const r of read.all() as { doc: number; term: string }[])
        out.set(r.doc, [...(out.get(r.doc) ?? []), r.term]);
      todo.forEach((t, i) => {
        const forms = out.get(i + 1);
        cache.set(t, forms?.length === 1 ? forms[0]! : t);
      });
    }
    return terms.map((t) => cache.get(t) ?? t);
  };
}

/** Document frequencies of terms from fts5vocab, cached until the next write. */
function createDocFrequencies(ctx: StoreContext) {
  let ready: boolean | undefined;
  const docFrequency = new Map<string, number>();
  let stamp = '';
  const state = { totalChunks: 0 };
  const indexForms = createTermForms();
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
    const forms = indexForms(terms);
    const now = ctx.changeStamp();
    if (now !== stamp || docFrequency.size > 50_000) {
      docFrequency.clear();
      stamp = now;
      state.totalChunks = countChunks(ctx);
    }
    const get = ctx.stmt('SELECT doc FROM temp.chunks_fts_vocab WHERE term = ?').pluck();
    return forms.map((t) => {
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

/**
 * MATCH expressions: `all`, every term kept and phrase; `identifiers`, only the chunks that have
 * one of the query's identifiers whole (max_file_size, os.path.join), ranked by `all` — searched
 * first, as a search engine that keeps such a token whole would find only them.
 */
interface Match {
  all: string;
  identifiers: string | null;
}

/** The MATCH expressions for `text` within the postings budget, or null when nothing can match. */
function budgetedMatch(frequencies: DocFrequencies, text: string, budget: number): Match | null {
  const terms = ftsTerms(text);
  const plain = () => {
    const all = toFtsQuery(text);
    return all === null ? null : { all, identifiers: null };
  };
  if (terms.length <= 1) return plain();
  const dfs = frequencies.lookup(terms);
  if (!dfs) return plain();
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
  const match = kept.map((t) => ftsPhrase([t]));
  // Identifiers and neighbouring words as phrases too, beside their parts: a chunk that has
  // `max_file_size` or "package pinning" as such outranks one that has the words scattered. A
  // phrase reads its words' postings again, so phrases get a budget of their own.
  const dfOf = new Map(terms.map((t, i) => [t, dfs[i]!]));
  const phrases = queryPhrases(text);
  let phrasePostings = 0;
  const identifiers: string[] = [];
  for (const phrase of [...phrases.identifiers, ...phrases.pairs]) {
    const cost = phrase.reduce((n, t) => n + (dfOf.get(t) ?? 0), 0);
    if (phrase.some((t) => !(dfOf.get(t)! > 0)) || phrasePostings + cost > budget) continue;
    match.push(ftsPhrase(phrase));
    if (phrases.identifiers.includes(phrase)) identifiers.push(ftsPhrase(phrase));
    phrasePostings += cost;
  }
  const all = match.join(' OR ');
  return { all, identifiers: identifiers.length ? `(${identifiers.join(' OR ')}) AND (${all})` : null };
}

type Bm25Row = { chunkId: number; bm: number };

/**
 * bm25 column weights: body text, heading path, document title. A term in the title or the
 * headings says what the whole section is about (on a reference page only the first chunk names
 * the command otherwise); measured with `npm run eval` (tune half), 2 and 2 against 0.5 and none.
 */
export const BM25_COLUMN_WEIGHTS = '1.0, 2.0, 2.0';

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
      `SELECT c.id AS chunkId, bm25(chunks_fts, ${BM25_COLUMN_WEIGHTS}) AS bm
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
      `SELECT rowid AS chunkId, bm25(chunks_fts, ${BM25_COLUMN_WEIGHTS}) AS bm
             FROM chunks_fts
            WHERE chunks_fts MATCH ?
            ORDER BY bm, chunkId
            LIMIT ?`,
    ).all(match, limit) as Bm25Row[];
  }
  return stmt(
    `SELECT c.id AS chunkId, bm25(chunks_fts, ${BM25_COLUMN_WEIGHTS}) AS bm
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
      let rows = matchRows(ctx, match.all, collectionIds, all, limit, documentIds);
      if (match.identifiers) {
        // The chunks with the identifier whole first, then the rest in their order.
        const first = matchRows(ctx, match.identifiers, collectionIds, all, limit, documentIds);
        const seen = new Set(first.map((r) => r.chunkId));
        // Scores stay in rank order: the rest never above the last chunk with the identifier.
        const worst = first.reduce((m, r) => Math.max(m, r.bm), -Infinity);
        const rest = rows
          .filter((r) => !seen.has(r.chunkId))
          .map((r) => ({ ...r, bm: Math.max(r.bm, worst) }));
        rows = [...first, ...rest].slice(0, limit);
      }
      return rows.map((r) => ({ chunkId: r.chunkId, score: -r.bm }));
    },
  };
}
