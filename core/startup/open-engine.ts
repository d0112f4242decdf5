import fs from 'node:fs';
import { openAppLock, type AppLock } from '../operations/app-lock/app-lock.ts';
import { applyPendingRestore } from '../operations/backup/restore.ts';
import { createCaches, type Caches } from '../base/cache/caches.ts';
import { closeChatModels } from '../models/llm/chat-models.ts';
import { openDb, type Db } from '../stores/pg/pg-store.ts';
import { loadMigrations } from '../stores/pg/migrations.ts';
import type { DataDirLock } from '../base/data-dir-lock/data-dir-lock.ts';
import { dataPaths, type DataPaths } from '../base/paths.ts';
import type { ReconcileReport } from '../stores/reconcile.ts';
import {
  acquireStartupLock,
  assertPgNotLost,
  explainStartupFailure,
  openDerivedStore,
  type StoreRepair,
} from './startup-repair.ts';
import { createEmbedderRegistry, type EmbedderRegistry } from '../models/embed/registry.ts';
import type { FileTaskInput, FileTaskOutput } from '../knowledge/import/file-task-types.ts';
import { markInterruptedJobs } from '../knowledge/import/jobs.ts';
import { markInterruptedRuns } from '../operations/nightly/interrupted.ts';
import type { VectorStore } from '../stores/vectors/store.ts';
import { createWorkerPool, type WorkerPool } from '../base/thread-pool/pool.ts';

/** Everything a request handler needs; one per data dir per process (the lock enforces it). */
export interface Engine {
  readonly paths: DataPaths;
  readonly db: Db;
  readonly vectors: VectorStore;
  readonly caches: Caches;
  /** Embedders in use (built-in and GGUF models), shared by imports and searches. */
  readonly embedders: EmbedderRegistry;
  readonly lock: DataDirLock;
  /** The optional passphrase lock that gates the API (not the data-dir lock above). */
  readonly appLock: AppLock;
  readonly startedAt: Date;
  readonly startupMs: number;
  readonly reconcile: ReconcileReport;
  /** A damaged collections.db set aside, and rebuild jobs queued for missing chunks. */
  readonly repair: StoreRepair;
  /** Import jobs found cut short at start-up (resumed by `import.resume`). */
  readonly interruptedJobs: number[];
  /** Worker threads that extract, chunk and embed files; started on first use. */
  ingestPool(): WorkerPool<FileTaskInput, FileTaskOutput>;
  /**
   * Runs `hook` first when the engine closes (stop background work such as the nightly worker
   * or the memory queue while the stores are still open). Hooks run in parallel; their errors
   * are reported on stderr, never block the close.
   */
  beforeClose(hook: () => Promise<void>): void;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  dataDir: string;
  /** Template cluster to copy into a new data dir; null forces initdb (tests of that path). */
  templateDir?: string | null;
  migrationsDir?: string;
  /** Milliseconds since the epoch; tests inject one to drive the app lock's idle timer and back-off. */
  clock?: () => number;
}

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
    const { reconcile, repair } = derived;
    const interruptedJobs = await markInterruptedJobs(db);
    await markInterruptedRuns(db);
    const appLock = await openAppLock(db, opts.clock ? { now: opts.clock } : {});
    const caches = createCaches();
    const embedders = createEmbedderRegistry();
    let closing: Promise<void> | undefined;
    let pool: WorkerPool<FileTaskInput, FileTaskOutput> | undefined;
    const closeHooks: (() => Promise<void>)[] = [];
    const engine: Engine = {
      paths,
      db,
      vectors,
      caches,
      embedders,
      lock,
      appLock,
      reconcile,
      repair,
      interruptedJobs,
      ingestPool() {
        pool ??= createWorkerPool<FileTaskInput, FileTaskOutput>({
          entry: new URL('../knowledge/import/file-task.ts', import.meta.url),
          // A hostile file can make a parser balloon; cap each worker's heap.
          resourceLimits: { maxOldGenerationSizeMb: 1536 },
        });
        return pool;
      },
      beforeClose(hook) {
        closeHooks.push(hook);
      },
      startedAt: new Date(),
      startupMs: performance.now() - started,
      close() {
        closing ??= (async () => {
          try {
            appLock.close();
            const hooks = await Promise.allSettled(closeHooks.map((hook) => hook()));
            for (const r of hooks) {
              if (r.status === 'rejected') console.error('pustaka: while closing:', r.reason);
            }
            await pool?.close();
            await closeChatModels(engine);
            await embedders.close();
            vectors!.close();
            await db!.close();
          } finally {
            lock.release();
          }
        })();
        return closing;
      },
    };
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
