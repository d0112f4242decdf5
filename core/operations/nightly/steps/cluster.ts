/**
 * Step 1: cluster the questions asked in the last days that have no cluster yet, with the golden
 * embedder, into the clusters of that embedder; then recount every cluster's frequency.
 */
import { goldenEmbedder } from '../../../assistant/golden/embedder.ts';
import { goldenSettings } from '../../../assistant/golden/settings.ts';
import { thresholdFor } from '../../../assistant/golden/thresholds.ts';
import { assignClusters, type Cluster } from '../clustering.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';
import type { Embedder } from '../../../models/embed/types.ts';
import type { Db, Queryable } from '../../../stores/pg/pg-store.ts';

interface QuestionRow {
  query_hash: string;
  question: string;
  loose_key: string;
}

/** What one clustering pass works on: the embedder's clusters and the questions assigned so far. */
interface ClusterState {
  db: Db;
  embedder: Embedder;
  threshold: number;
  clusters: Cluster[];
  /** looseKey → index in `clusters`, of questions clustered before. */
  byLooseKey: Map<string, number>;
  /** Ids of the clusters that gained members in this pass. */
  touched: Set<number>;
}

/** The embedder's existing clusters, with their centroids. */
async function loadClusters(db: Queryable, embedderId: string): Promise<Cluster[]> {
  const rows = await db.query<{
    id: number | bigint;
    centroid: number[];
    size: number;
    representative_query: string | null;
  }>(
    `SELECT id, centroid, size, representative_query FROM query_clusters
        WHERE embedder_id = $1 AND centroid IS NOT NULL ORDER BY id`,
    [embedderId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    centroid: Float32Array.from(r.centroid),
    size: Math.max(1, r.size),
    representative: r.representative_query ?? '',
  }));
}

/** The recent questions that have no cluster yet, oldest first. */
function pendingQuestions(db: Queryable, days: number): Promise<QuestionRow[]> {
  return db.query<QuestionRow>(
    `SELECT query_hash, question, loose_key FROM question_stats
      WHERE cluster_id IS NULL AND last_asked_at > now() - make_interval(days => $1)
      ORDER BY first_asked_at, query_hash`,
    [days],
  );
}

/** looseKey → cluster index, from the first clustered question of each loose key. */
async function looseKeyIndex(
  db: Queryable,
  embedderId: string,
  clusters: Cluster[],
): Promise<Map<string, number>> {
  const indexOf = new Map(clusters.map((c, i) => [c.id, i]));
  const byLooseKey = new Map<string, number>();
  for (const r of await db.query<{ loose_key: string; cluster_id: number | bigint }>(
    `SELECT DISTINCT ON (s.loose_key) s.loose_key, s.cluster_id FROM question_stats s
       JOIN query_clusters c ON c.id = s.cluster_id AND c.embedder_id = $1
      WHERE s.loose_key <> '' ORDER BY s.loose_key, s.first_asked_at`,
    [embedderId],
  )) {
    const i = indexOf.get(Number(r.cluster_id));
    if (i !== undefined) byLooseKey.set(r.loose_key, i);
  }
  return byLooseKey;
}

/**
 * Writes one batch's assignments: rows for the clusters created since index `before`, each
 * question's cluster, and the centroids of every touched cluster.
 */
async function saveAssignments(
  s: ClusterState,
  tx: Queryable,
  before: number,
  assigned: Map<string, number>,
): Promise<void> {
  for (let i = before; i < s.clusters.length; i++) {
    const c = s.clusters[i]!;
    const [row] = await tx.query<{ id: number | bigint }>(
      `INSERT INTO query_clusters (label, centroid, size, representative_query, embedder_id, last_seen_at)
           VALUES ($1, $2, $3, $1, $4, now()) RETURNING id`,
      [c.representative, Array.from(c.centroid), c.size, s.embedder.id],
    );
    c.id = Number(row!.id);
  }
  for (const [hash, index] of assigned) {
    const c = s.clusters[index]!;
    s.touched.add(c.id!);
    await tx.query('UPDATE question_stats SET cluster_id = $2, clustered_at = now() WHERE query_hash = $1', [
      hash,
      c.id,
    ]);
  }
  for (const id of s.touched) {
    const c = s.clusters.find((x) => x.id === id)!;
    await tx.query('UPDATE query_clusters SET centroid = $2, size = $3 WHERE id = $1', [
      id,
      Array.from(c.centroid),
      c.size,
    ]);
  }
}

/** Embeds one batch of questions, assigns them to clusters and saves the result. */
async function clusterBatch(s: ClusterState, rows: QuestionRow[], signal: AbortSignal): Promise<void> {
  const vectors = await s.embedder.embed(
    rows.map((r) => r.question),
    signal,
  );
  const before = s.clusters.length;
  const assigned = assignClusters(
    s.clusters,
    rows.map((r, i) => ({
      key: r.query_hash,
      question: r.question,
      vector: vectors[i]!,
      looseKey: r.loose_key,
    })),
    s.threshold,
    s.byLooseKey,
  );
  // New clusters get rows; changed centroids are written back.
  await s.db.transaction((tx) => saveAssignments(s, tx, before, assigned));
}

/** Frequencies and representatives from the members (a repeat of a clustered question counts too). */
async function recountClusters(db: Db, days: number): Promise<void> {
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
      [days],
    );
  });
}

export async function clusterStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  const { db } = engine;
  const embedder = await goldenEmbedder(engine);
  const threshold = thresholdFor(embedder.id, (await goldenSettings(engine)).thresholds);
  const clusters = await loadClusters(db, embedder.id);
  const pending = await pendingQuestions(db, ctx.options.days);
  const byLooseKey = await looseKeyIndex(db, embedder.id, clusters);
  const s: ClusterState = { db, embedder, threshold, clusters, byLooseKey, touched: new Set() };
  const batch = Math.max(8, embedder.batchSize);
  for (let start = 0; start < pending.length; start += batch) {
    throwIfAborted(signal);
    await clusterBatch(s, pending.slice(start, start + batch), signal);
    ctx.progress(Math.min(pending.length, start + batch), pending.length, 'clustering questions');
  }
  await recountClusters(db, ctx.options.days);
  return {
    clustersFound: s.touched.size,
    note: `${pending.length} new question${pending.length === 1 ? '' : 's'} clustered`,
  };
}
