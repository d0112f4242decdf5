import fs from 'node:fs';
import { createCaches, type Caches } from './cache/caches.ts';
import { closeChatModels } from './chat/chat-models.ts';
import { openDb, type Db } from './db/pg-store.ts';
import { loadMigrations } from './db/migrations.ts';
import { acquireDataDirLock, type DataDirLock } from './lock/data-dir-lock.ts';
import { dataPaths, type DataPaths } from './paths.ts';
import { reconcileStores, type ReconcileReport } from './reconcile.ts';
import { createEmbedderRegistry, type EmbedderRegistry } from './embed/registry.ts';
import type { FileTaskInput, FileTaskOutput } from './ingest/file-task-types.ts';
import { markInterruptedJobs } from './ingest/jobs.ts';
import { openVectorStore, type VectorStore } from './vectors/store.ts';
import { createWorkerPool, type WorkerPool } from './workers/pool.ts';

/** Everything a request handler needs; one per data dir per process (the lock enforces it). */
export interface Engine {
  readonly paths: DataPaths;
  readonly db: Db;
  readonly vectors: VectorStore;
  readonly caches: Caches;
  /** Embedders in use (built-in and GGUF models), shared by imports and searches. */
  readonly embedders: EmbedderRegistry;
  readonly lock: DataDirLock;
  readonly startedAt: Date;
  readonly startupMs: number;
  readonly reconcile: ReconcileReport;
  /** Import jobs found cut short at start-up (resumed by `import.resume`). */
  readonly interruptedJobs: number[];
  /** Worker threads that extract, chunk and embed files; started on first use. */
  ingestPool(): WorkerPool<FileTaskInput, FileTaskOutput>;
  close(): Promise<void>;
}

export interface OpenEngineOptions {
  dataDir: string;
  /** Template cluster to copy into a new data dir; null forces initdb (tests of that path). */
  templateDir?: string | null;
  migrationsDir?: string;
}

export async function openEngine(opts: OpenEngineOptions): Promise<Engine> {
  const started = performance.now();
  const paths = dataPaths(opts.dataDir);
  const lock = acquireDataDirLock(paths.root, paths.lock);
  let db: Db | undefined;
  let vectors: VectorStore | undefined;
  try {
    fs.mkdirSync(paths.models, { recursive: true });
    fs.mkdirSync(paths.backups, { recursive: true });
    db = await openDb({
      pgDir: paths.pg,
      migrations: loadMigrations(opts.migrationsDir),
      ...(opts.templateDir !== undefined ? { templateDir: opts.templateDir } : {}),
    });
    vectors = openVectorStore(paths.collectionsDb);
    const reconcile = await reconcileStores(db, vectors);
    const interruptedJobs = await markInterruptedJobs(db);
    const caches = createCaches();
    const embedders = createEmbedderRegistry();
    let closing: Promise<void> | undefined;
    let pool: WorkerPool<FileTaskInput, FileTaskOutput> | undefined;
    const engine: Engine = {
      paths,
      db,
      vectors,
      caches,
      embedders,
      lock,
      reconcile,
      interruptedJobs,
      ingestPool() {
        pool ??= createWorkerPool<FileTaskInput, FileTaskOutput>({
          entry: new URL('./ingest/file-task.ts', import.meta.url),
          // A hostile file can make a parser balloon; cap each worker's heap.
          resourceLimits: { maxOldGenerationSizeMb: 1536 },
        });
        return pool;
      },
      startedAt: new Date(),
      startupMs: performance.now() - started,
      close() {
        closing ??= (async () => {
          try {
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
    throw err;
  }
}
