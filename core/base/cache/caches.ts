import { createNamedCache, type CacheSpec, type CacheStats, type NamedCache } from './named-cache.ts';

const MINUTE = 60_000;

/**
 * The engine's caches, each bounded in entries and time. Answers live longest (a golden or
 * generated answer stays right until its collections change, which invalidates it explicitly).
 */
export const CACHE_SPECS = {
  answers: { max: 500, ttlMs: 24 * 60 * MINUTE },
  search: { max: 1_000, ttlMs: 10 * MINUTE },
  embeddings: { max: 10_000, ttlMs: 60 * MINUTE },
  golden: { max: 2_000, ttlMs: 60 * MINUTE },
} satisfies Record<string, CacheSpec>;

export type CacheName = keyof typeof CACHE_SPECS;

export interface Caches {
  get<V extends NonNullable<unknown>>(name: CacheName): NamedCache<V>;
  stats(): CacheStats[];
  clearAll(): void;
  purgeStale(): void;
}

export function createCaches(specs: Record<CacheName, CacheSpec> = CACHE_SPECS): Caches {
  const caches = new Map<CacheName, NamedCache<NonNullable<unknown>>>();
  for (const [name, spec] of Object.entries(specs) as [CacheName, CacheSpec][]) {
    caches.set(name, createNamedCache(name, spec));
  }
  return {
    get<V extends NonNullable<unknown>>(name: CacheName) {
      return caches.get(name) as unknown as NamedCache<V>;
    },
    stats: () => [...caches.values()].map((c) => c.stats()),
    clearAll: () => caches.forEach((c) => c.clear()),
    purgeStale: () => caches.forEach((c) => c.purgeStale()),
  };
}
