import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AskParams } from '../core/contract/methods/ask.ts';
import { askWithStages, type StagedAskResult } from '../core/assistant/ask/ask.ts';
import { ASK_STAGES } from '../core/assistant/ask/clock.ts';
import type { Engine } from '../core/engine/engine.ts';
import { openTestEngine } from './support/engine.ts';
import { tempDir } from './support/temp-dir.ts';

const VISA_MD = `# Visa guide

## KITAS

A KITAS is a limited stay permit for foreigners working in Indonesia. The sponsor company applies first.
Renewing a KITAS takes about two weeks at the immigration office.

## KITAP

A KITAP is a permanent stay permit, available after several years on a KITAS.
`;

/** The reported total measures the same work as the caller's clock: not a speed bound. */
const SAME_WORK_MS = 15;

async function timedAsk(engine: Engine, params: AskParams) {
  const t0 = performance.now();
  const staged: StagedAskResult = await askWithStages(engine, params);
  const callerMs = performance.now() - t0;
  return { ...staged, callerMs };
}

function expectHonestTimings({ result, stages, callerMs }: StagedAskResult & { callerMs: number }) {
  const { totalMs } = result.timings;
  expect(Math.abs(callerMs - totalMs)).toBeLessThanOrEqual(SAME_WORK_MS);
  for (const s of ASK_STAGES) {
    expect(stages[s], s).toBeTypeOf('number');
    expect(stages[s], s).toBeGreaterThanOrEqual(0);
  }
  const sum = ASK_STAGES.reduce((acc, s) => acc + stages[s], 0);
  expect(sum).toBeLessThanOrEqual(totalMs);
  // The contract's stage timings are the same measurements.
  expect(result.timings).toMatchObject({
    cacheMs: stages.cacheMs,
    goldenMs: stages.goldenMs,
    retrieveMs: stages.retrieveMs,
    promptMs: stages.promptMs,
    generateMs: stages.generateMs,
  });
  // Persistence is part of the wait, and of the total.
  expect(stages.persistMs).toBeGreaterThan(0);
  expect(totalMs).toBeGreaterThanOrEqual(stages.persistMs);
}

async function logOf(engine: Engine, messageId: number) {
  const [row] = await engine.db.query<{ total_ms: number; latency_ms: Record<string, number | null> }>(
    'SELECT total_ms, latency_ms FROM query_logs WHERE message_id = $1',
    [messageId],
  );
  return row!;
}

describe('ask timings', () => {
  it('report what the caller waits, persistence included, for extractive, cached and golden answers', async () => {
    const { engine, client } = await openTestEngine();
    const docs = tempDir();
    fs.writeFileSync(path.join(docs, 'visa.md'), VISA_MD);
    await client.call('import.run', { collection: 'Visa', create: true, paths: [docs] });

    const extractive = await timedAsk(engine, { question: 'How long does renewing a KITAS take?' });
    expect(extractive.result.path).toBe('extractive');
    expectHonestTimings(extractive);
    expect(extractive.stages.retrieveMs).toBeGreaterThan(0);
    expect(extractive.stages.goldenMs).toBeGreaterThan(0);

    const cached = await timedAsk(engine, { question: 'how long does renewing a kitas take' });
    expect(cached.result.path).toBe('cache');
    expectHonestTimings(cached);
    expect(cached.stages).toMatchObject({ goldenMs: 0, retrieveMs: 0, extractMs: 0, generateMs: 0 });

    await client.call('golden.create', {
      question: 'How long is a KITAS valid?',
      answer: 'One year, renewable.',
    });
    const golden = await timedAsk(engine, { question: 'How long is a KITAS valid?' });
    expect(golden.result.path).toBe('golden');
    expectHonestTimings(golden);
    expect(golden.stages).toMatchObject({ retrieveMs: 0, extractMs: 0, generateMs: 0 });

    // The log row is written inside the persistence transaction: its total covers everything up
    // to its own insert (persistence so far included) but not the commit and its WAL fsync, whose
    // cost depends on the disk, so it is at most the returned total and at least the stages before.
    for (const r of [extractive, cached, golden]) {
      const log = await logOf(engine, r.result.messageId);
      const logged = Number(log.latency_ms.totalMs);
      const { cacheMs, goldenMs, retrieveMs, extractMs } = r.stages;
      expect(logged).toBeLessThanOrEqual(r.result.timings.totalMs);
      expect(logged).toBeGreaterThanOrEqual(cacheMs + goldenMs + retrieveMs + extractMs);
      expect(Number(log.total_ms)).toBe(Math.round(logged));
      expect(log.latency_ms.persistMs).toBeGreaterThan(0);
      expect(log.latency_ms.persistMs).toBeLessThanOrEqual(r.stages.persistMs);
      console.info(
        `${r.result.path}: caller ${r.callerMs.toFixed(1)} ms, reported ${r.result.timings.totalMs} ms, logged ${logged} ms`,
      );
    }
  });
});
