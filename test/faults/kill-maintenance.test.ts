import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../core/contract/client.ts';
import { createDispatcher } from '../../core/api/dispatcher.ts';
import { createBackup, listBackups, verifyBackup } from '../../core/operations/backup/index.ts';
import { openEngine, type Engine } from '../../core/startup/open-engine.ts';
import { runWorker } from '../../core/operations/nightly/run.ts';
import { addGoldenAnswer, checkInvariants } from '../support/invariants.ts';
import { rng } from '../support/prng.ts';
import { writeCorpus } from '../support/fault-corpus.ts';
import { FAULT_ROUNDS, FAULT_SEED, runDriver } from './run-driver.ts';

const root = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'pustaka-faults-maint-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const base = path.join(root, 'base');
const next = rng(FAULT_SEED + 1);
const TIMEOUT_MS = 60_000 + FAULT_ROUNDS * 30_000;
let copies = 0;

function copyOfBase(): string {
  const dir = path.join(root, `copy-${++copies}`);
  fs.cpSync(base, dir, { recursive: true });
  return dir;
}

async function approvedGolden(engine: Engine): Promise<number> {
  const [r] = await engine.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM golden_answers WHERE review_status = 'approved'",
  );
  return r!.n;
}

/**
 * Kills `op` at a random line of a clean run's `lines`, then reopens and checks the stores
 * (`check` after every kill, `finish` — the expensive part — after the last). Returns the kills.
 */
async function killAndCheck(
  op: string,
  lines: number,
  check: (engine: Engine) => Promise<void>,
  finish: (engine: Engine) => Promise<void>,
): Promise<number> {
  let kills = 0;
  for (let round = 1; round <= FAULT_ROUNDS; round++) {
    const dataDir = copyOfBase();
    const run = await runDriver([op, dataDir, '-'], {
      afterLines: 1 + Math.floor(next() * Math.max(1, lines - 1)),
      delayMs: Math.floor(next() * 25),
    });
    if (run.killed) kills++;
    const engine = await openEngine({ dataDir });
    try {
      if (run.killed) expect(engine.lock.recoveredStale).not.toBeNull();
      // The worker may add draft golden answers; none may be lost, and the approved one stays.
      expect(await checkInvariants(engine)).toEqual([]);
      expect(await approvedGolden(engine)).toBe(1);
      await check(engine);
      if (round === FAULT_ROUNDS) await finish(engine);
    } finally {
      await engine.close();
    }
  }
  return kills;
}

beforeAll(async () => {
  const folder = path.join(root, 'corpus');
  writeCorpus(folder, 12, 600);
  const engine = await openEngine({ dataDir: base });
  const dispatcher = createDispatcher(engine);
  const client = createApiClient((m, p, o) => dispatcher.call(m, p, o));
  await client.call('import.run', { collection: 'Docs', create: true, paths: [folder] });
  await addGoldenAnswer(engine, 'How long does a KITAS renewal take?');
  // Questions asked more than once: work for the worker's clustering and golden steps.
  for (const q of [
    'What is a KITAS sponsor?',
    'what is a kitas sponsor',
    'Who pays pajak penghasilan?',
    'NPWP for a foreign worker?',
  ]) {
    for (let i = 0; i < 3; i++) await client.call('ask', { question: q });
  }
  await engine.close();
  console.info(`kill -9 during backup and worker: seed ${FAULT_SEED + 1}, ${FAULT_ROUNDS} rounds each`);
}, TIMEOUT_MS);

describe('kill -9 during maintenance', () => {
  it(
    'a backup: leaves no partial archive or `creating` row once listed, and the next backup verifies',
    async () => {
      const clean = await runDriver(['backup', copyOfBase(), '-']);
      expect(clean.killed).toBe(false);
      const kills = await killAndCheck(
        'backup',
        clean.lines.length,
        async (engine) => {
          const { backups } = await listBackups(engine);
          expect(backups.filter((b) => b.status === 'creating')).toEqual([]);
          const leftovers = fs
            .readdirSync(engine.paths.backups)
            .filter((n) => n.endsWith('.partial') || n.startsWith('.'));
          expect(leftovers).toEqual([]);
        },
        async (engine) => {
          const made = await createBackup(engine, { kind: 'manual' });
          expect(made.status).toBe('ok');
          const verified = await verifyBackup(engine, made.id);
          expect(verified.checks.filter((c) => !c.ok)).toEqual([]);
          expect(verified.backup?.status).toBe('verified');
        },
      );
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(FAULT_ROUNDS / 2));
    },
    TIMEOUT_MS,
  );

  it(
    'the nightly worker: the stores stay consistent, and the next run finishes',
    async () => {
      const clean = await runDriver(['worker', copyOfBase(), '-']);
      expect(clean.killed).toBe(false);
      expect(clean.lines.length).toBeGreaterThan(2);
      const kills = await killAndCheck(
        'worker',
        clean.lines.length,
        // A cut run stays `running` in nightly_worker_runs until the next run marks it interrupted.
        async () => undefined,
        async (engine) => {
          const run = await runWorker(engine, { trigger: 'manual' });
          expect(run.status).toBe('done');
          const stale = await engine.db.query<{ status: string }>(
            "SELECT status FROM nightly_worker_runs WHERE status = 'running'",
          );
          expect(stale).toEqual([]);
          expect(await checkInvariants(engine)).toEqual([]);
          expect(await approvedGolden(engine)).toBe(1);
        },
      );
      expect(kills).toBeGreaterThanOrEqual(Math.ceil(FAULT_ROUNDS / 2));
    },
    TIMEOUT_MS,
  );
});
