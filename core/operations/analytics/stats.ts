/**
 * The assistant's own statistics, from query_logs and performance_metrics: questions per day by
 * answer path, stage latency percentiles (percentile_cont in SQL), tokens, the questions the
 * documents could not answer (the gaps in the knowledge base), and CRM/memory counts.
 * Days are calendar days in the database's time zone (UTC).
 */
import { LATENCY_STAGES, type StatsResult } from '../../contract/methods/stats.ts';
import { NOTHING_FOUND } from '../../assistant/ask/extractive.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';

type Num = number | bigint | string | null;
const n = (v: Num) => (v === null ? 0 : Number(v));
const ms = (v: Num) => (v === null ? null : Math.round(Number(v) * 10) / 10);

export interface StatsOptions {
  days: number;
  top: number;
  lowScore?: number;
  until?: string;
}

const PATHS = ['cache', 'golden', 'rag', 'extractive'] as const;

/** The period's bounds: `from` (start of the first day) and `to`, as query parameters. */
type Window = [Date, Date];
const W = 'q.created_at >= $1 AND q.created_at <= $2';

type PerDayRow = Record<string, Num> & { day: string };
type LatencyRow = { stage: string; count: Num; p50: Num; p95: Num; p99: Num };
type GapRow = {
  normalized_question: string;
  question: string;
  count: Num;
  last: Date;
  best: Num;
  nothing: Num;
};
type MetricRow = { name: string; unit: string | null; count: Num; avg: Num; p50: Num; p95: Num; last: Num };

/** The start of the period: `days` whole calendar days ending with the day of `to`. */
async function periodStart(db: Queryable, to: Date, days: number): Promise<Date> {
  const [period] = await db.query<{ from: Date }>(
    `SELECT date_trunc('day', $1::timestamptz) - make_interval(days => $2 - 1) AS "from"`,
    [to, days],
  );
  return period!.from;
}

/** One row per calendar day of the window: questions by path, errors, tokens. */
function queryPerDay(db: Queryable, window: Window): Promise<PerDayRow[]> {
  return db.query<PerDayRow>(
    `WITH days AS (
       SELECT generate_series($1::timestamptz, date_trunc('day', $2::timestamptz), interval '1 day') AS day)
     SELECT to_char(d.day, 'YYYY-MM-DD') AS day,
            count(q.id) AS questions,
            ${PATHS.map((p) => `count(q.id) FILTER (WHERE q.path = '${p}') AS ${p}`).join(',\n            ')},
            count(q.id) FILTER (WHERE q.error IS NOT NULL) AS errors,
            coalesce(sum(q.tokens_in), 0) AS tokens_in,
            coalesce(sum(q.tokens_out), 0) AS tokens_out
       FROM days d
       LEFT JOIN query_logs q ON q.created_at >= d.day AND q.created_at < d.day + interval '1 day'
                             AND q.created_at <= $2
      GROUP BY d.day ORDER BY d.day`,
    window,
  );
}

/** Latency percentiles per pipeline stage (stages with no positive timing are left out). */
function queryLatency(db: Queryable, window: Window): Promise<LatencyRow[]> {
  return db.query<LatencyRow>(
    `SELECT s.stage, count(*) AS count,
            percentile_cont(0.5)  WITHIN GROUP (ORDER BY x.v) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY x.v) AS p95,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY x.v) AS p99
       FROM query_logs q
      CROSS JOIN unnest($3::text[]) AS s(stage)
      CROSS JOIN LATERAL (
        SELECT CASE WHEN jsonb_typeof(q.latency_ms -> s.stage) = 'number'
                    THEN (q.latency_ms ->> s.stage)::float8 END AS v) x
      WHERE ${W} AND x.v > 0
      GROUP BY s.stage`,
    [...window, [...LATENCY_STAGES]],
  );
}

/** The most-asked questions the documents answered badly or not at all. */
function queryGaps(db: Queryable, window: Window, opts: StatsOptions): Promise<GapRow[]> {
  return db.query<GapRow>(
    `SELECT q.normalized_question,
            (array_agg(q.question ORDER BY q.created_at DESC))[1] AS question,
            count(*) AS count, max(q.created_at) AS last, max(q.top_score) AS best,
            count(*) FILTER (WHERE m.content = $3 OR q.top_score IS NULL) AS nothing
       FROM query_logs q LEFT JOIN messages m ON m.id = q.message_id
      WHERE ${W} AND q.path IN ('rag', 'extractive')
        AND (m.content = $3 OR q.top_score IS NULL OR ($4::real IS NOT NULL AND q.top_score < $4::real))
      GROUP BY q.normalized_question
      ORDER BY count(*) DESC, max(q.created_at) DESC
      LIMIT $5`,
    [...window, NOTHING_FOUND, opts.lowScore ?? null, opts.top],
  );
}

/** Question, error, token and conversation totals over the window. */
async function queryTotals(db: Queryable, window: Window): Promise<Record<string, Num>> {
  const [totals] = await db.query<Record<string, Num>>(
    `SELECT count(*) AS questions, count(*) FILTER (WHERE q.error IS NOT NULL) AS errors,
            coalesce(sum(q.tokens_in), 0) AS tokens_in, coalesce(sum(q.tokens_out), 0) AS tokens_out,
            count(DISTINCT q.conversation_id) AS conversations
       FROM query_logs q WHERE ${W}`,
    window,
  );
  return totals!;
}

/** CRM and memory counts (work sessions within the window, the rest as of now). */
async function queryCrm(db: Queryable, window: Window): Promise<Record<string, Num>> {
  const [crm] = await db.query<Record<string, Num>>(
    `SELECT (SELECT count(*) FROM clients WHERE status = 'active') AS clients,
            (SELECT count(*) FROM clients WHERE status = 'proposed') AS proposed,
            (SELECT count(*) FROM projects) AS projects,
            (SELECT count(*) FROM projects WHERE status = 'active') AS active_projects,
            (SELECT count(*) FROM work_sessions w WHERE w.started_at >= $1 AND w.started_at <= $2) AS sessions,
            (SELECT coalesce(sum(coalesce(w.duration_seconds,
                      greatest(0, extract(epoch FROM now() - w.started_at))::bigint)), 0)
               FROM work_sessions w WHERE w.started_at >= $1 AND w.started_at <= $2) AS tracked,
            (SELECT count(*) FROM memory_facts WHERE status = 'active') AS facts,
            (SELECT count(*) FROM memory_facts WHERE status = 'superseded') AS superseded,
            (SELECT count(*) FROM memory_entities) AS entities`,
    window,
  );
  return crm!;
}

/** Summaries of each performance metric recorded within the window. */
function queryMetrics(db: Queryable, window: Window): Promise<MetricRow[]> {
  return db.query<MetricRow>(
    `SELECT name, max(unit) AS unit, count(*) AS count, avg(value) AS avg,
            percentile_cont(0.5)  WITHIN GROUP (ORDER BY value) AS p50,
            percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95,
            (array_agg(value ORDER BY recorded_at DESC))[1] AS last
       FROM performance_metrics WHERE recorded_at >= $1 AND recorded_at <= $2
      GROUP BY name ORDER BY name`,
    window,
  );
}

/** The per-day rows as the result reports them. */
function perDayResult(perDay: PerDayRow[]): StatsResult['perDay'] {
  return perDay.map((d) => ({
    day: d.day,
    questions: n(d.questions ?? null),
    cache: n(d.cache ?? null),
    golden: n(d.golden ?? null),
    rag: n(d.rag ?? null),
    extractive: n(d.extractive ?? null),
    errors: n(d.errors ?? null),
    tokensIn: n(d.tokens_in ?? null),
    tokensOut: n(d.tokens_out ?? null),
  }));
}

/** Answers per path over the window, with each path's share of all answers. */
function pathMixResult(perDay: PerDayRow[]): StatsResult['pathMix'] {
  const pathCounts = PATHS.map((p) => ({ path: p, count: perDay.reduce((s, d) => s + n(d[p] ?? null), 0) }));
  const answered = pathCounts.reduce((s, p) => s + p.count, 0);
  return pathCounts.map((p) => ({
    ...p,
    share: answered ? Math.round((p.count / answered) * 1000) / 1000 : 0,
  }));
}

/** Every latency stage, in contract order, zeroed where nothing was timed. */
function latencyResult(latency: LatencyRow[]): StatsResult['latency'] {
  const byStage = new Map(latency.map((r) => [r.stage, r]));
  return LATENCY_STAGES.map((stage) => {
    const r = byStage.get(stage);
    return {
      stage,
      count: n(r?.count ?? null),
      p50: ms(r?.p50 ?? null),
      p95: ms(r?.p95 ?? null),
      p99: ms(r?.p99 ?? null),
    };
  });
}

/** The knowledge gaps as the result reports them. */
function gapsResult(gaps: GapRow[]): StatsResult['gaps'] {
  return gaps.map((g) => ({
    question: g.question,
    normalizedQuestion: g.normalized_question,
    count: n(g.count),
    lastAskedAt: g.last.toISOString(),
    bestScore: g.best === null ? null : Number(g.best),
    nothingFound: n(g.nothing),
  }));
}

/** The performance metrics as the result reports them. */
function metricsResult(metrics: MetricRow[]): StatsResult['metrics'] {
  return metrics.map((m) => ({
    name: m.name,
    unit: m.unit,
    count: n(m.count),
    avg: Number(m.avg),
    p50: Number(m.p50),
    p95: Number(m.p95),
    last: Number(m.last),
  }));
}

export async function collectStats(db: Queryable, opts: StatsOptions): Promise<StatsResult> {
  const to = opts.until ? new Date(opts.until) : new Date();
  const from = await periodStart(db, to, opts.days);
  const window: Window = [from, to];
  const perDay = await queryPerDay(db, window);
  const latency = await queryLatency(db, window);
  const gaps = await queryGaps(db, window, opts);
  const totals = await queryTotals(db, window);
  const crm = await queryCrm(db, window);
  const metrics = await queryMetrics(db, window);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    days: opts.days,
    totals: {
      questions: n(totals.questions ?? null),
      errors: n(totals.errors ?? null),
      tokensIn: n(totals.tokens_in ?? null),
      tokensOut: n(totals.tokens_out ?? null),
      conversations: n(totals.conversations ?? null),
    },
    perDay: perDayResult(perDay),
    pathMix: pathMixResult(perDay),
    latency: latencyResult(latency),
    gaps: gapsResult(gaps),
    crm: {
      clients: n(crm.clients ?? null),
      proposedClients: n(crm.proposed ?? null),
      projects: n(crm.projects ?? null),
      activeProjects: n(crm.active_projects ?? null),
      sessions: n(crm.sessions ?? null),
      trackedSeconds: n(crm.tracked ?? null),
    },
    memory: {
      facts: n(crm.facts ?? null),
      superseded: n(crm.superseded ?? null),
      entities: n(crm.entities ?? null),
    },
    metrics: metricsResult(metrics),
  };
}
