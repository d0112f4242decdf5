import fs from 'node:fs';
import { createCaches } from '../base/cache/caches.ts';
import { dataPaths } from '../base/paths.ts';
import type { Engine } from '../engine/engine.ts';
import { createEventBus } from '../engine/events.ts';
import { createServiceRegistry } from '../engine/services.ts';
import { createEmbedderRegistry } from '../models/embed/registry.ts';
import { markInterruptedJobs } from '../knowledge/import/jobs.ts';
import { applyPendingRestore } from '../operations/backup/restore.ts';
import { appLockService, openAppLock } from '../operations/app-lock/app-lock.ts';
import { markInterruptedRuns } from '../operations/nightly/interrupted.ts';
import { loadMigrations } from '../stores/pg/migrations.ts';
import { openDb, type Db } from '../stores/pg/pg-store.ts';
import type { VectorStore } from '../stores/vectors/store.ts';
import { subscribeDerivedState } from './subscriptions.ts';
import {
  acquireStartupLock,
  assertPgNotLost,
  explainStartupFailure,
  openDerivedStore,
} from './startup-repair.ts';

export type { Engine } from '../engine/engine.ts';

export interface OpenEngineOptions {
  dataDir: string;
  /** Template cluster to copy into a new data dir; null forces initdb (tests of that path). */
  templateDir?: string | null;
  migrationsDir?: string;
  /** Milliseconds since the epoch; tests inject one to drive the app lock's idle timer and back-off. */
  clock?: () => number;
}

/** The composition root: opens the stores, repairs what a crash left, wires events and services. */
export async function openEngine(opts: OpenEngineOptions): Promise<Engine> {
  const started = performance.now();
  // A restore staged by a running app (backup.restore) is swapped in before anything opens.
  await applyPendingRestore(opts.dataDir);
  const paths = dataPaths(opts.dataDir);
  const lock = acquireStartupLock(paths);
  let db: Db | undefined;
  let vectors: VectorStore | undefined;
  try {
    fs.mkdirSync(paths.models, { recursive: true });
    fs.mkdirSync(paths.backups, { recursive: true });
    assertPgNotLost(paths);
    db = await openDb({
      pgDir: paths.pg,
      migrations: loadMigrations(opts.migrationsDir),
      ...(opts.templateDir !== undefined ? { templateDir: opts.templateDir } : {}),
    });
    const derived = await openDerivedStore(paths, db);
    vectors = derived.vectors;
    const interruptedJobs = await markInterruptedJobs(db);
    await markInterruptedRuns(db);
    const appLock = await openAppLock(db, opts.clock ? { now: opts.clock } : {});
    const embedders = createEmbedderRegistry();
    const openedDb = db;
    const openedVectors = vectors;
    let closing: Promise<void> | undefined;
    const engine: Engine = {
      paths,
      db,
      vectors,
      caches: createCaches(),
      embedders,
      events: createEventBus(),
      services: createServiceRegistry(() => engine),
      lock,
      reconcile: derived.reconcile,
      repair: derived.repair,
      interruptedJobs,
      startedAt: new Date(),
      startupMs: performance.now() - started,
      close() {
        closing ??= (async () => {
          try {
            // Background work (worker, queues, model processes) stops while the stores are open.
            for (const err of await engine.services.disposeAll())
              console.error('pustaka: while closing:', err);
            await embedders.close();
            openedVectors.close();
            await openedDb.close();
          } finally {
            lock.release();
          }
        })();
        return closing;
      },
    };
    engine.services.provide(appLockService, appLock);
    subscribeDerivedState(engine);
    return engine;
  } catch (err) {
    try {
      vectors?.close();
      await db?.close();
    } finally {
      lock.release();
    }
    throw explainStartupFailure(paths, err);
  }
}
