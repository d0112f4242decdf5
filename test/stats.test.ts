/** `stats` over a known query log: per-day series, path mix, SQL percentiles, tokens, gaps, counts. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient } from '../core/contract/client.ts';
import { createDispatcher } from '../core/api/dispatcher.ts';
import { NOTHING_FOUND } from '../core/assistant/ask/extractive.ts';
import { renderStats } from '../core/cli/commands/stats.ts';
import { openEngine, type Engine } from '../core/startup/open-engine.ts';

let engine: Engine;
let client: ApiClient;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pustaka-stats-'));
const UNTIL = '2026-03-10T18:00:00Z';

async function log(
  at: string,
  path: string,
  o: {
    retrieveMs?: number;
    totalMs: number;
    tokensIn?: number;
    tokensOut?: number;
    topScore?: number | null;
    question?: string;
    nothing?: boolean;
  },
) {
  const [c] = await engine.db.query<{ id: number }>(
    `INSERT INTO conversations (title) VALUES ('q') RETURNING id`,
  );
  const [m] = await engine.db.query<{ id: number }>(
    `INSERT INTO messages (conversation_id, role, content, path, created_at) VALUES ($1, 'assistant', $2, $3, $4) RETURNING id`,
    [c!.id, o.nothing ? NOTHING_FOUND : 'an answer', path, at],
  );
  const q = o.question ?? 'what is a kitas';
  await engine.db.query(
    `INSERT INTO query_logs (conversation_id, message_id, question, normalized_question, query_hash, path, top_score,
                             latency_ms, total_ms, tokens_in, tokens_out, created_at)
     VALUES ($1, $2, $3, $4, md5($4), $5, $6, $7::jsonb, $8, $9, $10, $11)`,
    [
      c!.id,
      m!.id,
      q.toUpperCase(),
      q,
      path,
      o.topScore === undefined ? 0.5 : o.topScore,
      JSON.stringify({ cacheMs: 0.2, retrieveMs: o.retrieveMs ?? 0, totalMs: o.totalMs, firstTokenMs: null }),
      o.totalMs,
      o.tokensIn ?? 0,
      o.tokensOut ?? 0,
      at,
    ],
  );
}

beforeAll(async () => {
  engine = await openEngine({ dataDir: path.join(root, 'data') });
  const dispatcher = createDispatcher(engine);
  client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  // Day 1 (2026-03-08): ten generated answers, totalMs 100…1000, retrieveMs 10…100.
  for (let i = 1; i <= 10; i++) {
    await log(`2026-03-08T10:${String(i).padStart(2, '0')}:00Z`, 'rag', {
      retrieveMs: 10 * i,
      totalMs: 100 * i,
      tokensIn: 100,
      tokensOut: 20,
    });
  }
  // Day 3 (2026-03-10): cache, golden, and extractive answers that found nothing (gaps).
  await log('2026-03-10T09:00:00Z', 'cache', { totalMs: 1 });
  await log('2026-03-10T09:01:00Z', 'golden', { totalMs: 3 });
  for (let i = 0; i < 3; i++) {
    await log(`2026-03-10T09:1${i}:00Z`, 'extractive', {
      retrieveMs: 5,
      totalMs: 20,
      topScore: null,
      nothing: true,
      question: 'npwp for a pt pma',
    });
  }
  await log('2026-03-10T09:20:00Z', 'extractive', {
    retrieveMs: 5,
    totalMs: 20,
    topScore: 0.01,
    question: 'sponsor letter template',
  });
  // Outside the period: ignored.
  await log('2026-02-01T09:00:00Z', 'rag', { totalMs: 99_999, tokensIn: 5 });
  await engine.db.query(
    `INSERT INTO performance_metrics (name, value, unit, recorded_at) VALUES
       ('search.p50', 12, 'ms', '2026-03-09T00:00:00Z'), ('search.p50', 18, 'ms', '2026-03-10T00:00:00Z')`,
  );
  await client.call('sessions.add', { startedAt: '2026-03-09T09:00:00Z', endedAt: '2026-03-09T11:00:00Z' });
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('stats', () => {
  it('charts questions per day and the path mix over exactly the period', async () => {
    const s = await client.call('stats', { days: 3, until: UNTIL });
    expect(s.from).toBe('2026-03-08T00:00:00.000Z');
    expect(
      s.perDay.map((d) => [d.day, d.questions, d.rag, d.cache, d.golden, d.extractive, d.tokensIn]),
    ).toEqual([
      ['2026-03-08', 10, 10, 0, 0, 0, 1000],
      ['2026-03-09', 0, 0, 0, 0, 0, 0],
      ['2026-03-10', 6, 0, 1, 1, 4, 0],
    ]);
    expect(s.totals).toMatchObject({ questions: 16, tokensIn: 1000, tokensOut: 200, conversations: 16 });
    expect(s.pathMix).toEqual([
      { path: 'cache', count: 1, share: 0.063 },
      { path: 'golden', count: 1, share: 0.063 },
      { path: 'rag', count: 10, share: 0.625 },
      { path: 'extractive', count: 4, share: 0.25 },
    ]);
  });

  it('computes latency percentiles per stage over the questions where the stage ran', async () => {
    const s = await client.call('stats', { days: 1, until: '2026-03-08T23:00:00Z' });
    const retrieve = s.latency.find((l) => l.stage === 'retrieveMs')!;
    // percentile_cont over 10…100: p50 = 55, p95 = 95.5, p99 = 99.1
    expect(retrieve).toEqual({ stage: 'retrieveMs', count: 10, p50: 55, p95: 95.5, p99: 99.1 });
    expect(s.latency.find((l) => l.stage === 'totalMs')).toMatchObject({ count: 10, p50: 550 });
    expect(s.latency.find((l) => l.stage === 'firstTokenMs')).toEqual({
      stage: 'firstTokenMs',
      count: 0,
      p50: null,
      p95: null,
      p99: null,
    });
  });

  it('lists the knowledge gaps, most asked first; a score threshold adds weak answers', async () => {
    const s = await client.call('stats', { days: 3, until: UNTIL });
    expect(s.gaps.map((g) => [g.normalizedQuestion, g.count, g.nothingFound])).toEqual([
      ['npwp for a pt pma', 3, 3],
    ]);
    expect(s.gaps[0]!.question).toBe('NPWP FOR A PT PMA');
    const low = await client.call('stats', { days: 3, until: UNTIL, lowScore: 0.1 });
    expect(
      low.gaps.map((g) => [g.normalizedQuestion, g.bestScore === null ? null : +g.bestScore.toFixed(2)]),
    ).toEqual([
      ['npwp for a pt pma', null],
      ['sponsor letter template', 0.01],
    ]);
  });

  it('counts tracked time and metrics, and renders a readable report', async () => {
    const s = await client.call('stats', { days: 3, until: UNTIL });
    expect(s.crm).toMatchObject({ sessions: 1, trackedSeconds: 7200 });
    expect(s.metrics).toEqual([
      { name: 'search.p50', unit: 'ms', count: 2, avg: 15, p50: 15, p95: 17.7, last: 18 },
    ]);
    const text = renderStats(s);
    expect(text).toContain('16 questions');
    expect(text).toMatch(/2026-03-08 +10 +█{40}/u);
    expect(text).toMatch(/generated +10 +62\.5%/u);
    expect(text).toContain('npwp'.toUpperCase());
    await expect(client.call('stats', { days: 0 })).rejects.toMatchObject({ code: 'invalid_params' });
  });
});
