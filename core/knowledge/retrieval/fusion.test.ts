import { describe, expect, it } from 'vitest';
import { dedupeBySection, dot, fuseRanks, mmr, sectionKey } from './fusion.ts';
import { weightedLists, type CandidateLists } from './search.ts';
import { DEFAULT_FUSION, fusionWeights } from './weights.ts';

describe('fuseRanks (weighted reciprocal-rank fusion)', () => {
  it('sums weight / (k + rank) over the lists a chunk appears in', () => {
    const fused = fuseRanks(
      [
        { weight: 0.4, ids: [1, 2, 3] },
        { weight: 0.6, ids: [3, 4] },
      ],
      60,
    );
    const score = Object.fromEntries(fused.map((f) => [f.chunkId, f.score]));
    expect(score[1]).toBeCloseTo(0.4 / 61, 12);
    expect(score[2]).toBeCloseTo(0.4 / 62, 12);
    expect(score[3]).toBeCloseTo(0.4 / 63 + 0.6 / 61, 12);
    expect(score[4]).toBeCloseTo(0.6 / 62, 12);
    // Found by both lists beats first place in one.
    expect(fused.map((f) => f.chunkId)).toEqual([3, 4, 1, 2]);
  });

  it('lets the heavier list win a head-to-head and ignores lists of weight 0', () => {
    const lists = (w: number) => [
      { weight: w, ids: [10, 20] },
      { weight: 1 - w, ids: [20, 10] },
    ];
    expect(fuseRanks(lists(0.7), 60)[0]!.chunkId).toBe(10);
    expect(fuseRanks(lists(0.3), 60)[0]!.chunkId).toBe(20);
    expect(fuseRanks([{ weight: 0, ids: [1, 2] }], 60)).toEqual([]);
  });

  it('counts a chunk once per list, breaks ties by chunk id, and tolerates empty input', () => {
    const fused = fuseRanks([{ weight: 1, ids: [5, 5, 9] }], 60);
    expect(fused).toEqual([
      { chunkId: 5, score: 1 / 61 },
      { chunkId: 9, score: 1 / 62 },
    ]);
    const tie = fuseRanks(
      [
        { weight: 1, ids: [8] },
        { weight: 1, ids: [3] },
      ],
      60,
    );
    expect(tie.map((f) => f.chunkId)).toEqual([3, 8]);
    expect(fuseRanks([], 60)).toEqual([]);
    expect(() => fuseRanks([], -1)).toThrow(RangeError);
  });

  it('a smaller k sharpens the preference for top ranks', () => {
    const lists = [
      { weight: 0.5, ids: [1, 2, 3, 4, 5, 6] },
      { weight: 0.5, ids: [6, 5, 4, 3, 2, 1] },
    ];
    // Symmetric lists: every chunk ties at k = ∞; a small k rewards the extremes.
    const sharp = fuseRanks(lists, 1);
    expect(sharp[0]!.chunkId).toBe(1);
    expect(sharp[0]!.score).toBeGreaterThan(sharp.find((f) => f.chunkId === 3)!.score);
  });
});

describe('weightedLists', () => {
  const lists: CandidateLists = {
    vector: [
      { embedderId: 'a', hits: [{ chunkId: 1, distance: 0.1 }] },
      { embedderId: 'b', hits: [{ chunkId: 2, distance: 0.2 }] },
    ],
    keyword: [{ chunkId: 3, score: 9 }],
    allowed: null,
  };
  const weights = (id: string) =>
    id === 'a' ? { vector: 0.2, keyword: 0.8, rrfK: 60 } : { vector: 1, keyword: 1, rrfK: 60 };

  it('splits the vector share between embedders and averages the keyword weight', () => {
    expect(weightedLists(lists, 'hybrid', weights)).toEqual([
      { weight: 0.1, ids: [1] },
      { weight: 0.5, ids: [2] },
      { weight: 0.9, ids: [3] },
    ]);
  });

  it('keeps only the lists of a single-retriever mode', () => {
    expect(weightedLists(lists, 'vector', weights).map((l) => l.ids)).toEqual([[1], [2]]);
    expect(weightedLists(lists, 'keyword', weights)).toEqual([{ weight: 1, ids: [3] }]);
  });

  it('gives unknown embedders the default weights, the built-in one its measured weights', () => {
    expect(fusionWeights('gguf:0123456789abcdef')).toEqual(DEFAULT_FUSION);
    const builtin = fusionWeights('builtin:hashed-ngrams-v1');
    expect(builtin.keyword).toBeGreaterThan(builtin.vector);
  });
});

describe('dedupeBySection', () => {
  const item = (documentId: number, headingPath: string[], page: number | null, tag: string) => ({
    documentId,
    headingPath,
    page,
    tag,
  });

  it('keeps the first item of each document section, in order', () => {
    const items = [
      item(1, ['A', 'B'], null, 'best of 1/A/B'),
      item(1, ['A'], null, '1/A'),
      item(1, ['A', 'B'], null, 'second of 1/A/B'),
      item(2, ['A', 'B'], null, '2/A/B'),
      item(1, ['A'], null, 'second of 1/A'),
    ];
    expect(dedupeBySection(items).map((i) => i.tag)).toEqual(['best of 1/A/B', '1/A', '2/A/B']);
  });

  it('tells pages apart only when there is no heading', () => {
    expect(sectionKey(item(1, [], 1, ''))).not.toBe(sectionKey(item(1, [], 2, '')));
    expect(sectionKey(item(1, ['H'], 1, ''))).toBe(sectionKey(item(1, ['H'], 2, '')));
    // Heading text cannot collide across the separator.
    expect(sectionKey(item(1, ['a', 'b'], null, ''))).not.toBe(sectionKey(item(1, ['a b'], null, '')));
  });
});

describe('mmr', () => {
  // Two near-duplicates on top, a different third item slightly below.
  const items = [
    { id: 'a', rel: 1.0, v: Float32Array.of(1, 0) },
    { id: 'a2', rel: 0.95, v: Float32Array.of(0.995, 0.0998) },
    { id: 'b', rel: 0.9, v: Float32Array.of(0, 1) },
  ];
  const run = (diversity: number, k = 3) =>
    mmr(
      items,
      k,
      diversity,
      (i) => i.rel,
      (x, y) => dot(x.v, y.v),
    ).map((i) => i.id);

  it('keeps relevance order at diversity 0', () => {
    expect(run(0)).toEqual(['a', 'a2', 'b']);
    expect(run(0, 2)).toEqual(['a', 'a2']);
  });

  it('moves a different item above a near-duplicate when asked for diversity', () => {
    expect(run(0.5)).toEqual(['a', 'b', 'a2']);
    expect(run(0.5, 2)).toEqual(['a', 'b']);
  });

  it('at full diversity still starts from the most relevant item', () => {
    expect(run(1)[0]).toBe('a');
  });

  it('dot is 0 for vectors of different dimensions', () => {
    expect(dot(Float32Array.of(1, 0), Float32Array.of(1, 0, 0))).toBe(0);
  });
});
