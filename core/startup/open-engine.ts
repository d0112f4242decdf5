import fs from 'node:fs';
import path from 'node:path';
import { createCaches } from '../base/cache/caches.ts';
import { dataPaths } from '../base/paths.ts';
import { makeDataFolderPrivate, usePrivateUmask, type ModeRepair } from '../base/private-files.ts';
import type { Engine } from '../engine/engine.ts';
import { createEventBus } from '../engine/events.ts';
import { createServiceRegistry } from '../engine/services.ts';
import { createEmbedderRegistry } from '../models/embed/registry.ts';
import { adoptModelFiles } from '../models/llm/model-reconcile.ts';
import { markInterruptedJobs } from '../knowledge/import/jobs.ts';
import { applyPendingRestore } from '../operations/backup/restore.ts';
import { appLockService, openAppLock } from '../operations/app-lock/app-lock.ts';
import { markInterruptedRuns } from '../operations/nightly/interrupted.ts';
import { loadMigrations } from '../stores/pg/migrations.ts';
import { openDb, type Db } from '../stores/pg/pg-store.ts';
import type { VectorStore } from '../stores/vectors/store.ts';
import { assertStoresWritable, dataDirAccessError } from './data-dir-access.ts';
import { startOpenCheck } from '../stores/vectors/integrity.ts';
import { startIndexUpkeep } from './index-repair.ts';
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
  /**
   * A long-lived engine (the desktop app, `pustaka serve`): rebuilds a damaged or missing search
   * index in the background by itself. One-shot CLI commands report the rebuild instead of running it.
   */
  background?: boolean;
  /**
   * The caller will take CLI commands on this engine (starts the attach endpoint once it is open):
   * the lock says so, and a CLI run meanwhile waits for the endpoint instead of giving up.
   */
  attachable?: boolean;
}

/** The composition root: opens the stores, repairs what a crash left, wires events and services. */
export async function openEngine(opts: OpenEngineOptions): Promise<Engine> {
  const started = performance.now();
  // Where the start-up time goes (`npm run bench -- startup` prints it): each step's end, in ms.
  const phases: Record<string, number> = {};
  const phase = (name: string) => (phases[name] = Math.round(performance.now() - started));
  // From here on every file the engine creates is the user's alone (why process-wide: private-files.ts).
  usePrivateUmask();
  const paths = dataPaths(opts.dataDir);
  try {
    // A restore staged by a running app (backup.restore) is swapped in before anything opens.
    await applyPendingRestore(opts.dataDir);
  } catch (err) {
    throw dataDirAccessError(paths, err) ?? err; // the first look into the folder: it may be denied
  }
  const lock = await acquireStartupLock(paths, { attachable: opts.attachable === true });
  phase('lock');
  let db: Db | undefined;
  let vectors: VectorStore | undefined;
  try {
    fs.mkdirSync(paths.models, { recursive: true });
    fs.mkdirSync(paths.backups, { recursive: true });
    assertPgNotLost(paths);
    assertStoresWritable(paths);
    // Folders from older versions (0644/0755, a world-writable cluster) are repaired before use.
    // pg/ is left to openDb, which must walk it after PGlite starts anyway (pg_internal.init).
    warnNotPrivate(makeDataFolderPrivate(paths.root, [path.basename(paths.pg)]));
    // Checked in a worker while Postgres starts (core/stores/vectors/integrity.ts).
    const integrity = startOpenCheck(paths.collectionsDb);
    phase('folder checks');
    db = await openDb({
      pgDir: paths.pg,
      migrations: loadMigrations(opts.migrationsDir),
      ...(opts.templateDir !== undefined ? { templateDir: opts.templateDir } : {}),
    });
    phase('postgres open + migrations check');
    const derived = await openDerivedStore(paths, db, { integrity });
    phase('search index open + integrity check');
    vectors = derived.vectors;
    // Rebuild jobs are queued interrupted already: they count among the jobs to resume.
    const interruptedJobs = [
      ...new Set([...(await markInterruptedJobs(db)), ...derived.repair.rebuildJobs]),
    ].sort((a, b) => a - b);
    await markInterruptedRuns(db);
    // Model rows of a copied folder or a restored backup refer to this folder's files by name.
    await adoptModelFiles(db, paths.models);
    const appLock = await openAppLock(db, opts.clock ? { now: opts.clock } : {});
    phase('jobs, models, app lock');
    const embedders = createEmbedderRegistry(paths.models);
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
      startupPhases: phases,
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
    startIndexUpkeep(engine, {
      background: opts.background === true,
      checkedAtOpen: (await integrity) !== null,
    });
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

function warnNotPrivate(repair: ModeRepair): void {
  const first = repair.failed[0];
  if (first)
    console.error(
      `pustaka: warning: ${repair.failed.length} entries of the data folder could not be made private (only you may read them), e.g. ${first.path}: ${first.error}`,
    );
}
