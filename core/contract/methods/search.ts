import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { collectionRef, noEvent } from './common.ts';

/** Longest query accepted (a pasted paragraph is fine; keyword search uses its first 64 words). */
export const MAX_QUERY_LENGTH = 16_384;

export const searchMode = z.enum(['hybrid', 'vector', 'keyword']);
export type SearchMode = z.output<typeof searchMode>;

/** A day (`2026-01-31`, midnight UTC) or an instant (`2026-01-31T08:00:00+07:00`). */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);

export const searchParams = z
  .object({
    query: z
      .string()
      .max(MAX_QUERY_LENGTH, `a query is at most ${MAX_QUERY_LENGTH} characters`)
      .refine((s) => s.trim().length > 0, 'the query cannot be empty'),
    /** Ids or names; all collections when absent. */
    collections: z.array(collectionRef).min(1).max(100).optional(),
    k: z.number().int().min(1).max(100).default(10),
    /** Documents carrying any of these tags (case-insensitive). */
    tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(),
    /** Documents of any of these file types ('pdf', 'html', 'markdown', …). */
    types: z.array(z.string().trim().toLowerCase().min(1).max(32)).max(20).optional(),
    /** Documents imported at or after this time. */
    importedAfter: instant.optional(),
    /** Documents imported before this time. */
    importedBefore: instant.optional(),
    mode: searchMode.default('hybrid'),
    /** 0 = pure relevance; up to 1 = more varied results (maximal marginal relevance). */
    diversity: z.number().min(0).max(1).default(0),
    /** Hybrid search without diversity: reorder the fused top 50 by title, heading, phrase,
     * identifier and proximity matches (default; false: the fused order as it is). */
    rerank: z.boolean().optional(),
  })
  .strict();
export type SearchParams = z.output<typeof searchParams>;

export const highlightSchema = z.object({ start: z.number().int(), end: z.number().int() });
export type Highlight = z.output<typeof highlightSchema>;

export const searchItem = z.object({
  rank: z.number().int(),
  /** Higher is better: weighted reciprocal-rank fusion (hybrid), cosine similarity (vector), BM25 (keyword). */
  score: z.number(),
  chunkId: z.number().int(),
  documentId: z.number().int(),
  collectionId: z.number().int(),
  title: z.string().nullable(),
  sourcePath: z.string(),
  headingPath: z.array(z.string()),
  page: z.number().int().nullable(),
  /** True when the passage's text was recognised by OCR (a scanned page, a picture): cite with care. */
  ocr: z.boolean().optional(),
  text: z.string(),
  /** Where the query's words occur in `text` (UTF-16 offsets, end exclusive). */
  highlights: z.array(highlightSchema),
});
export type SearchItem = z.output<typeof searchItem>;

/**
 * The search index (collections.db) is being rebuilt from the source files, after it was found
 * damaged or missing: results come only from the documents rebuilt so far.
 */
export const indexRebuild = z.object({
  documentsDone: z.number().int(),
  documentsTotal: z.number().int(),
  /** A rebuild job runs now; otherwise it waits for `pustaka import --resume` (or the app, which starts it by itself). */
  running: z.boolean(),
  /** Where the damaged file was moved (kept for inspection); null when it was missing or emptied. */
  setAside: z.string().nullable(),
});
export type IndexRebuild = z.output<typeof indexRebuild>;

export const searchResult = z.object({
  items: z.array(searchItem),
  tookMs: z.number(),
  /** Served from the search cache. */
  cached: z.boolean(),
  mode: searchMode,
  /** Present while the search index is being rebuilt: the items may be incomplete. */
  rebuilding: indexRebuild.optional(),
});
export type SearchResult = z.output<typeof searchResult>;

export const searchContract = defineMethod({
  method: 'search',
  summary: 'Hybrid (vector + BM25) search over the chunks of one or more collections, with filters.',
  params: searchParams,
  result: searchResult,
  event: noEvent,
});
