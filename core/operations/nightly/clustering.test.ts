import { describe, expect, it } from 'vitest';
import { createBuiltinEmbedder } from '../../models/embed/builtin.ts';
import { assignClusters, type Cluster } from './clustering.ts';
import { questionKeys } from '../../assistant/golden/question-key.ts';

const questions = [
  'What is the KITAS fee?',
  "What's the KITAS fee?",
  'What is the KITAP fee?',
  'Can I work on a B211A visa?',
  'Can I work with a B211A visa?',
  'Can I not work on a B211A visa?',
  'What is the fee for a KITAS?',
];

async function cluster(order: string[]) {
  const e = createBuiltinEmbedder();
  const vectors = await e.embed(order);
  const clusters: Cluster[] = [];
  const items = order.map((q, i) => ({
    key: q,
    question: q,
    vector: vectors[i]!,
    looseKey: questionKeys(q).looseKey,
  }));
  const assigned = assignClusters(clusters, items, 0.7);
  const groups = new Map<number, string[]>();
  for (const [q, c] of assigned) groups.set(c, [...(groups.get(c) ?? []), q]);
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('incremental clustering', () => {
  it('groups paraphrases and keeps near-misses apart', async () => {
    const groups = await cluster(questions);
    expect(groups).toContainEqual(['What is the KITAS fee?', "What's the KITAS fee?"].sort());
    expect(groups).toContainEqual(['What is the KITAP fee?']);
    expect(groups).toContainEqual(['Can I not work on a B211A visa?']);
    expect(groups.find((g) => g.includes('Can I work on a B211A visa?'))).toContain(
      'Can I work with a B211A visa?',
    );
  });

  it('is deterministic: the same input in the same order gives the same clusters', async () => {
    expect(await cluster(questions)).toEqual(await cluster(questions));
  });

  it('extends existing clusters passed in, and moves their centroid', async () => {
    const e = createBuiltinEmbedder();
    const [v1, v2] = await e.embed(['What is the KITAS fee?', 'What is the fee of the KITAS?']);
    const clusters: Cluster[] = [{ id: 7, centroid: v1!, size: 1, representative: 'What is the KITAS fee?' }];
    const out = assignClusters(
      clusters,
      [{ key: 'x', question: 'What is the fee of the KITAS?', vector: v2! }],
      0.7,
    );
    expect(out.get('x')).toBe(0);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.size).toBe(2);
    expect(clusters[0]!.centroid).not.toEqual(v1);
  });
});
