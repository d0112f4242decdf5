/**
 * Incremental, deterministic clustering of questions by embedding (the worker's first step).
 * Questions are taken in a fixed order; each joins the most similar existing cluster when the
 * similarity to its centroid reaches the threshold and the near-miss guard agrees with the
 * cluster's representative question, otherwise it starts a new cluster. Centroids are running
 * means, renormalised. Same input, same clusters, whatever ran before.
 */
import { nearMissReason } from '../../assistant/golden/near-miss.ts';

export interface Cluster {
  /** null for a cluster created in this pass (no row yet). */
  id: number | null;
  centroid: Float32Array;
  size: number;
  representative: string;
}

export interface ClusterItem {
  key: string;
  question: string;
  vector: Float32Array;
  /** Questions with the same words but fillers (QuestionKey.looseKey) join the same cluster. */
  looseKey?: string;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function mergeInto(c: Cluster, v: Float32Array): void {
  const next = new Float32Array(c.centroid.length);
  let norm = 0;
  for (let i = 0; i < next.length; i++) {
    next[i] = c.centroid[i]! * c.size + v[i]!;
    norm += next[i]! * next[i]!;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < next.length; i++) next[i]! /= norm;
  c.centroid = next;
  c.size += 1;
}

/** Assigns each item to a cluster (mutating `clusters`, appending new ones); returns item → index. */
export function assignClusters(
  clusters: Cluster[],
  items: readonly ClusterItem[],
  threshold: number,
  /** looseKey → cluster index, of questions clustered before; extended as items are assigned. */
  byLooseKey: Map<string, number> = new Map(),
): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) {
    const same = item.looseKey ? byLooseKey.get(item.looseKey) : undefined;
    if (same !== undefined) {
      mergeInto(clusters[same]!, item.vector);
      out.set(item.key, same);
      continue;
    }
    let best = -1;
    let bestSim = -Infinity;
    clusters.forEach((c, i) => {
      const sim = dot(c.centroid, item.vector);
      if (sim > bestSim) {
        bestSim = sim;
        best = i;
      }
    });
    if (
      best >= 0 &&
      bestSim >= threshold &&
      nearMissReason(item.question, clusters[best]!.representative) === null
    ) {
      mergeInto(clusters[best]!, item.vector);
      out.set(item.key, best);
    } else {
      clusters.push({
        id: null,
        centroid: Float32Array.from(item.vector),
        size: 1,
        representative: item.question,
      });
      out.set(item.key, clusters.length - 1);
    }
  }
  return out;
}
