import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak.ts';

// The short soak of the suite: correctness under concurrency, never timings (those are in
// `npm run bench -- soak`).
describe('soak (short): import while asking and searching', () => {
  it('answers every question, fails nothing, and leaves consistent stores', async () => {
    // Three batches at least: new files in two collections, then changed files of an earlier batch.
    const r = await runSoak({
      durationMs: 10_000,
      minBatches: 3,
      filesPerBatch: 6,
      wordsPerFile: 800,
      sampleEveryMs: 5_000,
    });
    expect(r.errors).toEqual([]);
    expect(r.invariants).toEqual([]);
    expect(r.batches).toBeGreaterThanOrEqual(3);
    expect(r.files).toBeGreaterThan(0);
    expect(r.asks).toBeGreaterThan(0);
    expect(r.asksDuringImport).toBeGreaterThan(0);
    expect(r.unanswered).toBe(0);
    expect(r.searches).toBeGreaterThan(0);
  }, 120_000);
});
