import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';
import { indexRebuild } from './search.ts';

const cacheStats = z.object({
  name: z.string(),
  size: z.number().int(),
  max: z.number().int(),
  ttlMs: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  hitRate: z.number(),
});

export const statusContract = defineMethod({
  method: 'status',
  summary: 'Versions, data dir, store sizes, counts and cache statistics.',
  params: z.object({}).strict().default({}),
  result: z.object({
    app: z.object({ name: z.string(), version: z.string() }),
    versions: z.object({
      node: z.string(),
      pglite: z.string(),
      postgres: z.string(),
      sqlite: z.string(),
      sqliteVec: z.string(),
    }),
    dataDir: z.string(),
    schema: z.object({ pg: z.number().int(), vectors: z.number().int() }),
    engine: z.object({
      pid: z.number().int(),
      startedAt: z.string(),
      clusterOrigin: z.enum(['existing', 'template', 'initdb']),
      startupMs: z.number(),
      rssBytes: z.number().int(),
    }),
    stores: z.object({
      pgBytes: z.number().int(),
      collectionsDbBytes: z.number().int(),
      collectionsWalBytes: z.number().int(),
      modelsBytes: z.number().int(),
    }),
    counts: z.object({
      collections: z.number().int(),
      documents: z.number().int(),
      chunks: z.number().int(),
      conversations: z.number().int(),
      messages: z.number().int(),
      goldenAnswers: z.number().int(),
      clients: z.number().int(),
      memoryFacts: z.number().int(),
    }),
    caches: z.array(cacheStats),
    /**
     * The app lock. While it is locked, status still answers (for a lock screen) but reveals
     * nothing about the data: dataDir is '', stores and counts are 0 and caches is empty.
     */
    appLock: z.object({ enabled: z.boolean(), locked: z.boolean() }),
    /** Present while the search index is being rebuilt (never while locked). */
    rebuilding: indexRebuild.optional(),
  }),
  event: noEvent,
});
