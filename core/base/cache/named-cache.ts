import { LRUCache } from 'lru-cache';

export interface CacheSpec {
  /** Most entries kept. */
  max: number;
  /** Time to live in ms; 0 keeps entries until evicted. */
  ttlMs: number;
  /** Optional bound on the summed size of entries (e.g. bytes), with a sizer. */
  maxSize?: number;
  /** The clock TTLs are measured with, in ms (tests drive it); default real time. */
  now?: () => number;
}

export interface CacheStats {
  name: string;
  size: number;
  max: number;
  ttlMs: number;
  hits: number;
  misses: number;
  hitRate: number;
}

/** An lru-cache that counts hits and misses, so status and analytics can report them. */
export interface NamedCache<V extends NonNullable<unknown>> {
  readonly name: string;
  get(key: string): V | undefined;
  set(key: string, value: V, size?: number): void;
  has(key: string): boolean;
  delete(key: string): boolean;
  /** Drops every entry whose key starts with the prefix (e.g. one collection's searches). */
  deleteByPrefix(prefix: string): number;
  clear(): void;
  /** Removes expired entries now instead of lazily (the nightly maintenance step). */
  purgeStale(): boolean;
  stats(): CacheStats;
}

export function createNamedCache<V extends NonNullable<unknown>>(
  name: string,
  spec: CacheSpec,
): NamedCache<V> {
  const lru = new LRUCache<string, V>({
    max: spec.max,
    ...(spec.ttlMs > 0 ? { ttl: spec.ttlMs, ttlAutopurge: false } : {}),
    // An injected clock is read on every check (lru-cache otherwise caches "now" for 1 ms of real time).
    ...(spec.now ? { perf: { now: spec.now }, ttlResolution: 0 } : {}),
    ...(spec.maxSize ? { maxSize: spec.maxSize, sizeCalculation: () => 1 } : {}),
  });
  let hits = 0;
  let misses = 0;
  return {
    name,
    get(key) {
      const value = lru.get(key);
      if (value === undefined) misses++;
      else hits++;
      return value;
    },
    set(key, value, size) {
      lru.set(key, value, size !== undefined ? { size } : undefined);
    },
    has: (key) => lru.has(key),
    delete: (key) => lru.delete(key),
    deleteByPrefix(prefix) {
      let n = 0;
      for (const key of [...lru.keys()]) if (key.startsWith(prefix) && lru.delete(key)) n++;
      return n;
    },
    clear: () => lru.clear(),
    purgeStale: () => lru.purgeStale(),
    stats() {
      const total = hits + misses;
      return {
        name,
        size: lru.size,
        max: spec.max,
        ttlMs: spec.ttlMs,
        hits,
        misses,
        hitRate: total ? hits / total : 0,
      };
    },
  };
}
