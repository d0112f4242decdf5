/**
 * Step 1: cluster the questions asked in the last days that have no cluster yet, with the golden
 * embedder, into the clusters of that embedder; then recount every cluster's frequency.
 */
import { goldenEmbedder } from '../../../assistant/golden/embedder.ts';
import { goldenSettings } from '../../../assistant/golden/settings.ts';
import { thresholdFor } from '../../../assistant/golden/thresholds.ts';
import { assignClusters, type Cluster } from '../clustering.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';

interface QuestionRow {
  query_hash: string;
  question: string;
  loose_key: string;
}

export async function clusterStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  const { db } = engine;
  const embedder = await goldenEmbedder(engine);
  const threshold = thresholdFor(embedder.id, (await goldenSettings(engine)).thresholds);
  const clusters: Cluster[] = (
    await db.query<{
      id: number | bigint;
      centroid: number[];
      size: number;
      representative_query: string | null;
    }>(
      `SELECT id, centroid, size, representative_query FROM query_clusters
        WHERE embedder_id = $1 AND centroid IS NOT NULL ORDER BY id`,
      [embedder.id],
    )
  ).map((r) => ({
    id: Number(r.id),
    centroid: Float32Array.from(r.centroid),
    size: Math.max(1, r.size),
    representative: r.representative_query ?? '',
  }));
  const pending = await db.query<QuestionRow>(
    `SELECT query_hash, question, loose_key FROM question_stats
      WHERE cluster_id IS NULL AND last_asked_at > now() - make_interval(days => $1)
      ORDER BY first_asked_at, query_hash`,
    [ctx.options.days],
  );
  const indexOf = new Map(clusters.map((c, i) => [c.id, i]));
  const byLooseKey = new Map<string, number>();
  for (const r of await db.query<{ loose_key: string; cluster_id: number | bigint }>(
    `SELECT DISTINCT ON (s.loose_key) s.loose_key, s.cluster_id FROM question_stats s
       JOIN query_clusters c ON c.id = s.cluster_id AND c.embedder_id = $1
      WHERE s.loose_key <> '' ORDER BY s.loose_key, s.first_asked_at`,
    [embedder.id],
  )) {
    const i = indexOf.get(Number(r.cluster_id));
    if (i !== undefined) byLooseKey.set(r.loose_key, i);
  }
  const touched = new Set<number>();
  const batch = Math.max(8, embedder.batchSize);
  for (let start = 0; start < pending.length; start += batch) {
    throwIfAborted(signal);
    const rows = pending.slice(start, start + batch);
    const vectors = await embedder.embed(
      rows.map((r) => r.question),
      signal,
    );
    const before = clusters.length;
    const assigned = assignClusters(
      clusters,
      rows.map((r, i) => ({
        key: r.query_hash,
        question: r.question,
        vector: vectors[i]!,
        looseKey: r.loose_key,
      })),
      threshold,
      byLooseKey,
    );
    await db.transaction(async (tx) => {
      // New clusters get rows; changed centroids are written back.
      for (let i = before; i < clusters.length; i++) {
        const c = clusters[i]!;
        const [row] = await tx.query<{ id: number | bigint }>(
          `INSERT INTO query_clusters (label, centroid, size, representative_query, embedder_id, last_seen_at)
           VALUES ($1, $2, $3, $1, $4, now()) RETURNING id`,
          [c.representative, Array.from(c.centroid), c.size, embedder.id],
        );
        c.id = Number(row!.id);
      }
      for (const [hash, index] of assigned) {
        const c = clusters[index]!;
        touched.add(c.id!);
        await tx.query(
          'UPDATE question_stats SET cluster_id = $2, clustered_at = now() WHERE query_hash = $1',
          [hash, c.id],
        );
      }
      for (const id of touched) {
        const c = clusters.find((x) => x.id === id)!;
        await tx.query('UPDATE query_clusters SET centroid = $2, size = $3 WHERE id = $1', [
          id,
          Array.from(c.centroid),
          c.size,
        ]);
      }
    });
    ctx.progress(Math.min(pending.length, start + batch), pending.length, 'clustering questions');
  }
  // Frequencies and representatives from the members (a repeat of a clustered question counts too).
  await db.transaction(async (tx) => {
    await tx.query(
      `UPDATE query_clusters c
          SET query_count = s.total, size = s.n, representative_query = s.rep, label = s.rep,
              last_seen_at = s.last
         FROM (SELECT cluster_id, sum(ask_count)::int AS total, count(*)::int AS n,
                      (array_agg(question ORDER BY ask_count DESC, first_asked_at, query_hash))[1] AS rep,
                      max(last_asked_at) AS last
                 FROM question_stats WHERE cluster_id IS NOT NULL GROUP BY cluster_id) s
        WHERE c.id = s.cluster_id
          AND (c.query_count, c.size, c.representative_query, c.last_seen_at)
              IS DISTINCT FROM (s.total, s.n, s.rep, s.last)`,
    );
    await tx.query(
      `UPDATE query_logs q SET cluster_id = s.cluster_id
         FROM question_stats s
        WHERE q.query_hash = s.query_hash AND s.cluster_id IS NOT NULL
          AND q.cluster_id IS DISTINCT FROM s.cluster_id
          AND q.created_at > now() - make_interval(days => $1)`,
      [ctx.options.days],
    );
  });
  return {
    clustersFound: touched.size,
    note: `${pending.length} new question${pending.length === 1 ? '' : 's'} clustered`,
  };
}
