import { describe, expect, it } from 'vitest';
import { createCaches } from './caches.ts';
import { createNamedCache } from './named-cache.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

  it('expires entries after their TTL', async () => {
    const cache = createNamedCache<string>('t', { max: 10, ttlMs: 40 });
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    await sleep(80);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 'B');
    await sleep(80);
    expect(cache.purgeStale()).toBe(true);
    expect(cache.stats().size).toBe(0);
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
