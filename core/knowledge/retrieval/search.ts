/**
 * Hybrid retrieval: vector KNN per collection (the query embedded with each collection's own
 * embedder) and FTS5 BM25 over all of them, fused by weighted reciprocal-rank fusion (weights per
 * embedder, weights.ts), filtered by document metadata, one hit per document section, optionally
 * diversified (MMR), with the query's words highlighted. Results are cached in the engine's
 * 'search' cache under the normalized query, every option and the collections' ids and embedders.
 *
 * Three steps, so the eval harness can fuse the same candidates under many weightings:
 * planSearch (what to search) → gatherCandidates (ranked lists) → rankCandidates (fused items).
 */
import type { SearchItem, SearchMode, SearchParams, SearchResult } from '../../contract/methods/search.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { VEC0_MAX_K, type ChunkRow, type KeywordHit, type VectorHit } from '../../stores/vectors/store.ts';
import { dot, fuseRanks, mmr, sectionKey, type RankedList, type Scored } from './fusion.ts';
import { RERANK_POOL, rerank, type RerankWeights } from './rerank.ts';
import { highlightText, queryWords } from './highlight.ts';
import {
  DocumentCatalog,
  hasFilters,
  matchesFilters,
  resolveCollections,
  type DocMeta,
  type ScopeCollection,
  type SearchFilters,
} from './scope.ts';
import { DEFAULT_FUSION, fusionWeights, type FusionWeights } from './weights.ts';
import { isIndexRebuilding } from '../../stores/store-damage.ts';
import { indexRebuildProgress, whenIndexReplaced } from '../import/index-rebuild.ts';

/** Largest list a retriever contributes (k = 100 with diversity asks for this much). */
export const MAX_DEPTH = 1_000;
/** Binary coarse candidates per collection, rescored exactly (see bench/search-scale.ts). */
export const VECTOR_CANDIDATES = 1_000;
/** A filter this narrow (chunks it allows, per collection) is searched exactly, inside the filter. */
export const FILTER_EXACT_MAX_CHUNKS = 20_000;
/** A filter allowing at most this many documents is applied inside the keyword query. */
export const FILTER_IN_QUERY_MAX_DOCS = 20_000;
/** The query text given to an embedder (keyword search reads its first 64 words anyway). */
export const MAX_EMBED_QUERY_CHARS = 8_000;
/** Most hits asked of one knn call on the coarse path (at VEC0_MAX_K it turns to brute force). */
const COARSE_MAX = VEC0_MAX_K - 1;

export interface SearchPlan {
  query: string;
  /** Folded query words (highlights); empty when the query has no letters or digits. */
  words: Set<string>;
  collections: ScopeCollection[];
  k: number;
  mode: SearchMode;
  diversity: number;
  /** Whether hybrid results are reranked (see `reranks`). */
  rerank: boolean;
  filters: SearchFilters;
  /** How many hits each ranked list holds. */
  depth: number;
  cacheKey: string;
}

/** NFKC, lower case, single spaces: queries that differ only in those are the same search. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

const toMs = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

export async function planSearch(engine: Engine, params: SearchParams): Promise<SearchPlan> {
  const collections = await resolveCollections(
    engine.db,
    engine.vectors,
    engine.caches.get('search'),
    params.collections,
  );
  const filters: SearchFilters = {
    tags: params.tags?.length ? [...new Set(params.tags.map((t) => t.toLowerCase()))].sort() : undefined,
    types: params.types?.length ? [...new Set(params.types)].sort() : undefined,
    importedAfter: toMs(params.importedAfter),
    importedBefore: toMs(params.importedBefore),
  };
  const k = params.k;
  const depth = Math.min(MAX_DEPTH, Math.max(50, (params.diversity > 0 ? 10 : 5) * k));
  const cacheKey = JSON.stringify([
    'q',
    normalizeQuery(params.query),
    collections.map((c) => [c.id, c.embedderId, c.embeddingDim]),
    k,
    params.mode,
    params.diversity,
    params.rerank !== false,
    filters.tags ?? null,
    filters.types ?? null,
    filters.importedAfter ?? null,
    filters.importedBefore ?? null,
  ]);
  return {
    query: params.query,
    words: queryWords(params.query),
    collections,
    k,
    mode: params.mode,
    diversity: params.diversity,
    rerank: params.rerank !== false,
    filters,
    depth,
    cacheKey,
  };
}

export interface CandidateLists {
  /** One list per embedder (collections sharing an embedder are merged by distance). */
  vector: { embedderId: string; hits: VectorHit[] }[];
  keyword: KeywordHit[];
  /** Documents a filter allows (null: no filter). Hits are already restricted to them. */
  allowed: Set<number> | null;
  /**
   * Set when the vector lists were not gathered because they could not change the first this-many
   * fused places (see keywordSafePrefix); a ranking that needs more must gather them.
   */
  vectorSkippedSafe?: number;
}

const EMPTY: CandidateLists = { vector: [], keyword: [], allowed: null };

async function embedQuery(engine: Engine, embedder: Embedder, text: string): Promise<Float32Array> {
  const cache = engine.caches.get<Float32Array>('embeddings');
  const input = text.slice(0, MAX_EMBED_QUERY_CHARS);
  const key = `${embedder.id}\u241e${input}`;
  let v = cache.get(key);
  if (!v) {
    [v] = await embedder.embed([input]);
    cache.set(key, v!);
  }
  return v!;
}

/** chunk id → document id, for candidates that must be checked against a filter. */
function documentsOfChunks(engine: Engine, ids: number[]): Map<number, number> {
  return engine.vectors.documentsOfChunks(ids);
}

function keepAllowed<T extends { chunkId: number }>(
  engine: Engine,
  hits: T[],
  allowed: Set<number>,
  depth: number,
): T[] {
  const docOf = documentsOfChunks(
    engine,
    hits.map((h) => h.chunkId),
  );
  return hits.filter((h) => allowed.has(docOf.get(h.chunkId) ?? -1)).slice(0, depth);
}

/** The ranked lists for a plan (vector and/or keyword, as the mode asks), filters applied. */
export async function gatherCandidates(
  engine: Engine,
  plan: SearchPlan,
  signal?: AbortSignal,
  opts: { vectorIfNeeded?: boolean } = {},
): Promise<CandidateLists> {
  if (plan.words.size === 0 || plan.collections.length === 0) return EMPTY;
  const { vectors } = engine;
  const { depth } = plan;
  const ids = plan.collections.map((c) => c.id);

  // Filters: the allowed documents of each collection, from the cached catalog.
  let allowed: Set<number> | null = null;
  const allowedDocs = new Map<number, DocMeta[]>();
  const docChunks = new Map<number, number>();
  if (hasFilters(plan.filters)) {
    const docs = await new DocumentCatalog(engine.db, engine.caches.get('search')).all(ids);
    allowed = new Set();
    for (const d of docs) {
      docChunks.set(d.collectionId, (docChunks.get(d.collectionId) ?? 0) + d.chunkCount);
      if (!matchesFilters(d, plan.filters)) continue;
      allowed.add(d.id);
      const list = allowedDocs.get(d.collectionId) ?? [];
      list.push(d);
      allowedDocs.set(d.collectionId, list);
    }
    if (allowed.size === 0) return { ...EMPTY, allowed };
  }

  let keyword: KeywordHit[] = [];
  if (plan.mode !== 'vector') {
    if (!allowed) keyword = vectors.keywordSearch(ids, plan.query, depth);
    else if (allowed.size <= FILTER_IN_QUERY_MAX_DOCS)
      keyword = vectors.keywordSearch(ids, plan.query, depth, { documentIds: [...allowed] });
    else {
      const total = [...docChunks.values()].reduce((a, b) => a + b, 0);
      const inFilter = [...allowedDocs.values()].flat().reduce((n, d) => n + d.chunkCount, 0);
      const fetch = Math.min(COARSE_MAX, Math.ceil(depth / Math.max(inFilter / Math.max(total, 1), 1e-3)));
      keyword = keepAllowed(engine, vectors.keywordSearch(ids, plan.query, fetch), allowed, depth);
    }
  }
  const vector: CandidateLists['vector'] = [];
  const safe = opts.vectorIfNeeded ? keywordSafePrefix(plan, keyword.length) : 0;
  if (safe > 0) return { vector, keyword, allowed, vectorSkippedSafe: safe };
  if (plan.mode !== 'keyword') {
    const groups = new Map<string, ScopeCollection[]>();
    for (const c of plan.collections) {
      const key = `${c.embedderId}\u241e${c.embedderModel ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      const embedder = await engine.embedders.forCollection({
        embedderId: first.embedderId,
        modelPath: first.embedderModel,
      });
      signal?.throwIfAborted();
      const q = await embedQuery(engine, embedder, plan.query);
      let hits: VectorHit[] = [];
      for (const c of group) {
        if (vectors.collectionDim(c.id) !== q.length) continue; // empty, or being re-embedded
        if (!allowed) {
          hits.push(...vectors.knn(c.id, q, depth, { candidates: Math.max(VECTOR_CANDIDATES, 2 * depth) }));
          continue;
        }
        const inFilter = allowedDocs.get(c.id) ?? [];
        if (inFilter.length === 0) continue;
        const chunks = inFilter.reduce((n, d) => n + d.chunkCount, 0);
        if (chunks <= FILTER_EXACT_MAX_CHUNKS) {
          const documentIds = inFilter.map((d) => d.id);
          hits.push(...vectors.knn(c.id, q, depth, { documentIds }));
        } else {
          // A broad filter: over-fetch in proportion to what it lets through, then filter.
          const share = chunks / Math.max(chunks, docChunks.get(c.id) ?? chunks);
          const fetch = Math.min(COARSE_MAX, Math.ceil(depth / share));
          const found = vectors.knn(c.id, q, fetch, {
            candidates: Math.min(COARSE_MAX, Math.max(VECTOR_CANDIDATES, 2 * fetch)),
          });
          hits.push(...keepAllowed(engine, found, allowed, depth));
        }
      }
      hits = hits.sort((a, b) => a.distance - b.distance || a.chunkId - b.chunkId).slice(0, depth);
      vector.push({ embedderId: first.embedderId, hits });
    }
  }

  return { vector, keyword, allowed };
}

export type FusionFor = (embedderId: string) => FusionWeights;

/**
 * How many of the first fused places the vector lists cannot change, given a full keyword list
 * (`depth` hits) and the fusion weights of the plan's embedders: a chunk gains at most
 * V = (vector weight) / (rrfK + 1) from them, so while each step down the keyword list costs more
 * than V, no vector list can swap two neighbours or lift a chunk from below. With the built-in
 * embedder's weight (0.01 against 0.99, k = 60) that is the first 17 places, so a search that
 * fills its k results from them skips embedding the query and the KNN: the vector half only ever
 * filled in where keyword search finds little. 0 when anything could change (mode, a short
 * keyword list, weights that make the vector half count, diversity, which reads fused scores).
 */
export function keywordSafePrefix(
  plan: SearchPlan,
  keywordHits: number,
  fusionFor: FusionFor = fusionWeights,
): number {
  if (plan.mode !== 'hybrid' || plan.diversity > 0 || keywordHits < plan.depth) return 0;
  const groups = new Map<string, FusionWeights>();
  for (const c of plan.collections)
    groups.set(`${c.embedderId}\u241e${c.embedderModel ?? ''}`, fusionFor(c.embedderId));
  const ws = [...groups.values()];
  if (ws.length === 0) return 0;
  const avg = (f: (w: FusionWeights) => number) => ws.reduce((a, w) => a + f(w), 0) / ws.length;
  const wk = avg((w) => w.keyword);
  const rrfK = avg((w) => w.rrfK);
  const most = (avg((w) => w.vector) / (rrfK + 1)) * (1 + 1e-9);
  let safe = 0;
  while (safe < keywordHits - 1 && wk / (rrfK + safe + 1) - wk / (rrfK + safe + 2) > most) safe++;
  return safe;
}

/** The ranked lists with their fusion weights; several embedders split the vector share. */
export function weightedLists(lists: CandidateLists, mode: SearchMode, fusionFor: FusionFor): RankedList[] {
  const groups = lists.vector.map((v) => ({ v, w: fusionFor(v.embedderId) }));
  const out: RankedList[] = [];
  if (mode !== 'keyword') {
    for (const { v, w } of groups) {
      out.push({
        weight: mode === 'vector' ? 1 : w.vector / groups.length,
        ids: v.hits.map((h) => h.chunkId),
      });
    }
  }
  if (mode !== 'vector') {
    const kw = groups.length ? groups.reduce((s, g) => s + g.w.keyword, 0) / groups.length : 1;
    out.push({ weight: mode === 'keyword' ? 1 : kw, ids: lists.keyword.map((h) => h.chunkId) });
  }
  return out;
}

/** All candidates, fused and ordered (before filters by document, sections and diversity). */
export function fuseCandidates(
  lists: CandidateLists,
  mode: SearchMode,
  fusionFor: FusionFor = fusionWeights,
) {
  const ks = lists.vector.map((v) => fusionFor(v.embedderId).rrfK);
  const rrfK = ks.length ? ks.reduce((a, b) => a + b, 0) / ks.length : DEFAULT_FUSION.rrfK;
  return fuseRanks(weightedLists(lists, mode, fusionFor), rrfK);
}

/** Whether a plan's fused candidates are reranked (rerank.ts): hybrid search without diversity. */
export function reranks(plan: Pick<SearchPlan, 'mode' | 'diversity' | 'rerank'>): boolean {
  return plan.rerank && plan.mode === 'hybrid' && plan.diversity === 0;
}

/**
 * The lists a reranked search fuses: the keyword list alone when it is full and the vector lists
 * could not change its first places (keywordSafePrefix). Below those places they could still swap
 * neighbours (or, past RERANK_POOL, change which chunks make the pool), and the fused rank is one
 * of the reranker's features; so a reranked search leaves them out there whether or not they were
 * gathered, and skipping them (gatherCandidates' vectorIfNeeded) gives the same result by
 * construction.
 */
export function listsForRerank(
  plan: SearchPlan,
  lists: CandidateLists,
  fusionFor: FusionFor = fusionWeights,
): CandidateLists {
  return keywordSafePrefix(plan, lists.keyword.length, fusionFor) > 0 ? { ...lists, vector: [] } : lists;
}

/** The fused top RERANK_POOL reordered by the feature reranker, scored by it; the rest below. */
export async function rerankFused(
  engine: Engine,
  query: string,
  fused: Scored[],
  titleOf?: (documentId: number) => string | null,
  weights?: RerankWeights,
): Promise<Scored[]> {
  const pool = fused.slice(0, RERANK_POOL);
  const rows = new Map(engine.vectors.getChunks(pool.map((s) => s.chunkId)).map((r) => [r.id, r]));
  let title = titleOf;
  if (!title) {
    const docs = await new DocumentCatalog(engine.db, engine.caches.get('search')).get(
      [...rows.values()].map((r) => ({ collectionId: r.collectionId, documentId: r.documentId })),
    );
    title = (id) => docs.get(id)?.title ?? null;
  }
  const candidates = pool.flatMap((s) => {
    const row = rows.get(s.chunkId);
    return row
      ? [{ chunkId: s.chunkId, text: row.text, headingPath: row.headingPath, title: title(row.documentId) }]
      : [];
  });
  const reranked = rerank(query, candidates, weights);
  // Chunks gone since they were found stay out; the rest keep their order, scored below the pool
  // and above 0 (scores stay within 0..1 for clients and the assistant's topScore).
  const floor = Math.max(0, Math.min(1, ...reranked.map((r) => r.score)));
  const rest = fused.slice(RERANK_POOL);
  return [
    ...reranked.map((r) => ({ chunkId: r.item.chunkId, score: r.score })),
    ...rest.map((s, i) => ({ chunkId: s.chunkId, score: floor * (1 - (i + 1) / (rest.length + 1)) })),
  ];
}

/** Fused, filtered, one per section, diversified: the final items. */
export async function rankCandidates(
  engine: Engine,
  plan: SearchPlan,
  lists: CandidateLists,
  fusionFor: FusionFor = fusionWeights,
  /** Filled with how many fused candidates were read to pick the items. */
  read: { candidates: number } = { candidates: 0 },
): Promise<SearchItem[]> {
  const reranked = reranks(plan);
  let fused = fuseCandidates(reranked ? listsForRerank(plan, lists, fusionFor) : lists, plan.mode, fusionFor);
  if (fused.length === 0) return [];
  if (reranked) fused = await rerankFused(engine, plan.query, fused);

  // Scores shown: the fused one for hybrid, else the retriever's own (cosine similarity, BM25).
  const shown = new Map<number, number>();
  if (plan.mode === 'vector')
    for (const v of lists.vector)
      for (const h of v.hits) shown.set(h.chunkId, 1 - (h.distance * h.distance) / 2);
  if (plan.mode === 'keyword') for (const h of lists.keyword) shown.set(h.chunkId, h.score);

  const pool = plan.diversity > 0 ? Math.max(3 * plan.k, 30) : plan.k;
  const catalog = new DocumentCatalog(engine.db, engine.caches.get('search'));
  const picked: { row: ChunkRow; doc: DocMeta; score: number; fused: number }[] = [];
  const seenSections = new Set<string>();
  const batch = Math.max(2 * pool, 20);
  for (let at = 0; at < fused.length && picked.length < pool; at += batch) {
    const slice = fused.slice(at, at + batch);
    const rows = engine.vectors.getChunks(slice.map((s) => s.chunkId));
    const docs = await catalog.get(
      rows.map((r) => ({ collectionId: r.collectionId, documentId: r.documentId })),
    );
    const rowById = new Map(rows.map((r) => [r.id, r]));
    for (const s of slice) {
      read.candidates++;
      const row = rowById.get(s.chunkId);
      const doc = row && docs.get(row.documentId);
      if (!row || !doc) continue; // gone since, or not vouched for by Postgres
      if (lists.allowed && !lists.allowed.has(doc.id)) continue;
      const key = sectionKey(row); // one hit per document section: the best-ranked one
      if (seenSections.has(key)) continue;
      seenSections.add(key);
      picked.push({ row, doc, score: shown.get(s.chunkId) ?? s.score, fused: s.score });
      if (picked.length >= pool) break;
    }
  }

  let chosen = picked;
  if (plan.diversity > 0 && picked.length > 1) {
    const vectorsById = engine.vectors.getVectors(picked.map((p) => p.row.id));
    const embedderOf = new Map(plan.collections.map((c) => [c.id, c.embedderId]));
    const top = picked[0]!.fused;
    chosen = mmr(
      picked,
      plan.k,
      plan.diversity,
      (p) => p.fused / top,
      (a, b) => {
        if (embedderOf.get(a.row.collectionId) !== embedderOf.get(b.row.collectionId)) return 0;
        const va = vectorsById.get(a.row.id);
        const vb = vectorsById.get(b.row.id);
        return va && vb ? dot(va, vb) : 0;
      },
    );
  }

  return chosen.slice(0, plan.k).map(({ row, doc, score }, i) => ({
    rank: i + 1,
    score,
    chunkId: row.id,
    documentId: row.documentId,
    collectionId: row.collectionId,
    title: doc.title,
    sourcePath: doc.sourcePath,
    headingPath: row.headingPath,
    page: row.page,
    ...(row.page !== null && doc.ocrPages.includes(row.page) ? { ocr: true } : {}),
    text: row.text,
    highlights: highlightText(row.text, plan.words),
  }));
}

interface CachedSearch {
  items: SearchItem[];
}

/**
 * The `search` API method. A query without letters or digits (only punctuation, emoji) finds
 * nothing. While the search index is being rebuilt the result says how far (`rebuilding`) and is
 * not cached; a search that finds the file damaged waits for the empty replacement and searches
 * that (core/startup/index-repair.ts), instead of failing.
 */
export async function search(
  engine: Engine,
  params: SearchParams,
  signal?: AbortSignal,
): Promise<SearchResult> {
  try {
    return await searchReporting(engine, params, signal);
  } catch (err) {
    if (!isIndexRebuilding(err)) throw err;
    await whenIndexReplaced(engine);
    return searchReporting(engine, params, signal);
  }
}

async function searchReporting(
  engine: Engine,
  params: SearchParams,
  signal?: AbortSignal,
): Promise<SearchResult> {
  const rebuilding = await indexRebuildProgress(engine);
  const result = await searchIndex(engine, params, { signal, useCache: !rebuilding });
  return rebuilding ? { ...result, rebuilding } : result;
}

async function searchIndex(
  engine: Engine,
  params: SearchParams,
  opts: { signal?: AbortSignal | undefined; useCache: boolean },
): Promise<SearchResult> {
  const { signal } = opts;
  const started = performance.now();
  const plan = await planSearch(engine, params);
  const cache = engine.caches.get<CachedSearch>('search');
  const hit = opts.useCache ? cache.get(plan.cacheKey) : undefined;
  if (hit) return { items: hit.items, tookMs: performance.now() - started, cached: true, mode: plan.mode };
  let items: SearchItem[] = [];
  if (plan.words.size > 0 && plan.collections.length > 0) {
    // The vector half only when it can change what is returned (keywordSafePrefix).
    const lists = await gatherCandidates(engine, plan, signal, { vectorIfNeeded: true });
    signal?.throwIfAborted();
    const read = { candidates: 0 };
    items = await rankCandidates(engine, plan, lists, fusionWeights, read);
    // A reranked search is settled by a full keyword list (listsForRerank).
    const settled = reranks(plan) || read.candidates <= (lists.vectorSkippedSafe ?? 0);
    if (lists.vectorSkippedSafe !== undefined && !settled) {
      const all = await gatherCandidates(engine, plan, signal);
      signal?.throwIfAborted();
      items = await rankCandidates(engine, plan, all);
    }
  }
  if (opts.useCache) cache.set(plan.cacheKey, { items });
  return { items, tookMs: performance.now() - started, cached: false, mode: plan.mode };
}
