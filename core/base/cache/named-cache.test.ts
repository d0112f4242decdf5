import { describe, expect, it } from 'vitest';
import { createCaches } from './caches.ts';
import { createNamedCache } from './named-cache.ts';

describe('named caches', () => {
  it('counts hits and misses', () => {
    const cache = createNamedCache<string>('t', { max: 10, ttlMs: 0 });
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    expect(cache.get('a')).toBe('A');
    expect(cache.stats()).toMatchObject({ name: 't', size: 1, hits: 2, misses: 1 });
    expect(cache.stats().hitRate).toBeCloseTo(2 / 3);
  });

  it('evicts the least recently used entry past max', () => {
    const cache = createNamedCache<number>('t', { max: 2, ttlMs: 0 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('b')).toBe(false);
    expect(cache.stats().size).toBe(2);
  });

  it('expires entries after their TTL (on an injected clock, no real waiting)', () => {
    // lru-cache treats a start time of 0 as "no TTL", so the clock starts later than that.
    let now = 1_000;
    const cache = createNamedCache<string>('t', { max: 10, ttlMs: 40, now: () => now });
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    now += 40; // exactly the TTL: still fresh
    expect(cache.get('a')).toBe('A');
    expect(cache.has('a')).toBe(true);
    now += 1; // past it: gone, and counted as a miss
    expect(cache.has('a')).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1 });

    // purgeStale drops an expired entry that nobody asked for, and keeps a fresh one.
    cache.set('b', 'B');
    now += 20;
    cache.set('c', 'C');
    expect(cache.purgeStale()).toBe(false);
    expect(cache.stats().size).toBe(2);
    now += 21; // b is 41 ms old, c 21 ms
    expect(cache.purgeStale()).toBe(true);
    expect(cache.stats().size).toBe(1);
    expect(cache.has('c')).toBe(true);
    now += 20;
    expect(cache.purgeStale()).toBe(true);
    expect(cache.stats().size).toBe(0);
  });

  it('keeps entries without a TTL however much time passes', () => {
    let now = 1_000;
    const cache = createNamedCache<string>('t', { max: 10, ttlMs: 0, now: () => now });
    cache.set('a', 'A');
    now += 365 * 24 * 3600_000;
    expect(cache.get('a')).toBe('A');
    expect(cache.purgeStale()).toBe(false);
  });

  it('drops entries by key prefix (invalidation of one collection)', () => {
    const cache = createNamedCache<string>('t', { max: 10, ttlMs: 0 });
    cache.set('c1:q1', 'x');
    cache.set('c1:q2', 'y');
    cache.set('c2:q1', 'z');
    expect(cache.deleteByPrefix('c1:')).toBe(2);
    expect(cache.has('c2:q1')).toBe(true);
  });

  it('bounds the summed size when maxSize is set', () => {
    const cache = createNamedCache<string>('t', { max: 100, ttlMs: 0, maxSize: 10 });
    cache.set('a', 'x', 6);
    cache.set('b', 'y', 6);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
  });

  it('the engine registry exposes every cache with stats', () => {
    const caches = createCaches();
    caches.get<string>('answers').set('q', 'a');
    const names = caches.stats().map((s) => s.name);
    expect(names).toEqual(['answers', 'search', 'embeddings', 'golden']);
    expect(caches.stats().find((s) => s.name === 'answers')?.size).toBe(1);
    caches.clearAll();
    expect(caches.stats().every((s) => s.size === 0)).toBe(true);
  });
});
