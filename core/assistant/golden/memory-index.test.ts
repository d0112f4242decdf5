import { describe, expect, it } from 'vitest';
import { rng } from '../../../test/support/prng.ts';
import { nearestInMatrix, type GoldenMatrix } from './memory-index.ts';

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  return v.map((x) => x / Math.sqrt(n));
}

function matrixOf(vectors: Float32Array[], dim: number): GoldenMatrix {
  const words = Math.ceil(dim / 32);
  const m: GoldenMatrix = {
    dim,
    words,
    goldenIds: Int32Array.from(vectors, (_, i) => i + 1),
    texts: vectors.map((_, i) => `q${i + 1}`),
    vectors: new Float32Array(vectors.length * dim),
    bits: new Uint32Array(vectors.length * words),
  };
  vectors.forEach((v, i) => {
    m.vectors.set(v, i * dim);
    for (let w = 0; w < words; w++) {
      let x = 0;
      for (let b = 0; b < 32; b++) if ((v[w * 32 + b] ?? 0) > 0) x |= 1 << b;
      m.bits[i * words + w] = x >>> 0;
    }
  });
  return m;
}

describe('in-memory golden index', () => {
  it('finds the same nearest question as an exact scan for close paraphrases (sign bits, then exact)', () => {
    const random = rng(3);
    const dim = 384;
    const stored = Array.from({ length: 3000 }, () =>
      unit(Float32Array.from({ length: dim }, () => random() - 0.5)),
    );
    const m = matrixOf(stored, dim);
    let agree = 0;
    for (let t = 0; t < 100; t++) {
      const target = stored[Math.floor(random() * stored.length)]!;
      // A paraphrase: the stored vector plus noise, cosine ≈ 0.75–0.9.
      const q = unit(target.map((x) => x + (random() - 0.5) * 0.06));
      let best = -1;
      let bestSim = -Infinity;
      stored.forEach((v, i) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += v[j]! * q[j]!;
        if (s > bestSim) [best, bestSim] = [i, s];
      });
      const [hit] = nearestInMatrix(m, q, 1);
      expect(hit!.similarity).toBeCloseTo(bestSim, 5);
      if (hit!.goldenId === best + 1) agree++;
    }
    expect(agree).toBe(100);
  });

  it('returns nothing from an empty index and at most k hits, best first', () => {
    const m = matrixOf([], 384);
    expect(nearestInMatrix(m, new Float32Array(384), 5)).toEqual([]);
    const random = rng(4);
    const some = Array.from({ length: 20 }, () =>
      unit(Float32Array.from({ length: 384 }, () => random() - 0.5)),
    );
    const hits = nearestInMatrix(matrixOf(some, 384), some[0]!, 3);
    expect(hits).toHaveLength(3);
    expect(hits[0]!.goldenId).toBe(1);
    expect(hits[0]!.similarity).toBeCloseTo(1, 5);
    expect(hits[1]!.similarity).toBeGreaterThanOrEqual(hits[2]!.similarity);
  });
});
