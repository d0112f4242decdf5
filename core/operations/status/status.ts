import type { ResultOf } from '../../contract/contract.ts';
import type { statusContract } from '../../contract/methods/status.ts';
import { APP_INFO } from '../../base/app-info.ts';
import { packageVersion } from '../../stores/pg/versions.ts';
import type { Engine } from '../../engine/engine.ts';
import { appLockService } from '../app-lock/app-lock.ts';
import { pathSize } from '../../base/fs-size.ts';
import { indexRebuildProgress, whenIndexReplaced } from '../../knowledge/import/index-rebuild.ts';
import { isIndexRebuilding } from '../../stores/store-damage.ts';

export type Status = ResultOf<typeof statusContract>;

const COUNTS = `
SELECT
  (SELECT count(*) FROM collections)::int AS collections,
  (SELECT count(*) FROM documents WHERE status <> 'deleted')::int AS documents,
  (SELECT count(*) FROM conversations)::int AS conversations,
  (SELECT count(*) FROM messages)::int AS messages,
  (SELECT count(*) FROM golden_answers)::int AS golden_answers,
  (SELECT count(*) FROM clients)::int AS clients,
  (SELECT count(*) FROM memory_facts)::int AS memory_facts,
  current_setting('server_version') AS server_version`;

interface CountsRow {
  collections: number;
  documents: number;
  conversations: number;
  messages: number;
  golden_answers: number;
  clients: number;
  memory_facts: number;
  server_version: string;
}

/** Versions, schemas and the engine process: what a locked and an unlocked status both show. */
function runtime(engine: Engine, postgres: string): Pick<Status, 'versions' | 'schema' | 'engine'> {
  const v = engine.vectors.versions();
  return {
    versions: {
      node: process.versions.node,
      pglite: packageVersion('@electric-sql/pglite'),
      postgres,
      sqlite: v.sqlite,
      sqliteVec: v.sqliteVec,
    },
    schema: { pg: engine.db.schemaVersion, vectors: engine.vectors.schemaVersion() },
    engine: {
      pid: process.pid,
      startedAt: engine.startedAt.toISOString(),
      clusterOrigin: engine.db.cluster.origin,
      startupMs: Math.round(engine.startupMs),
      rssBytes: process.memoryUsage.rss(),
    },
  };
}

/** `locked`: whether the app is locked for the caller (a connection may be unlocked for itself). */
export async function collectStatus(
  engine: Engine,
  locked = engine.services.get(appLockService).locked,
): Promise<Status> {
  if (locked) return lockedStatus(engine);
  try {
    return await unlockedStatus(engine);
  } catch (err) {
    // collections.db found damaged while counting: report the store replacing it, and the rebuild.
    if (!isIndexRebuilding(err)) throw err;
    await whenIndexReplaced(engine);
    return unlockedStatus(engine);
  }
}

async function unlockedStatus(engine: Engine): Promise<Status> {
  const [row] = await engine.db.query<CountsRow>(COUNTS);
  const c = row!;
  const rebuilding = await indexRebuildProgress(engine);
  const files = engine.vectors.fileSizes();
  const { versions, schema, engine: runtimeEngine } = runtime(engine, c.server_version);
  return {
    app: { ...APP_INFO },
    versions,
    dataDir: engine.paths.root,
    schema,
    engine: runtimeEngine,
    stores: {
      pgBytes: pathSize(engine.paths.pg),
      collectionsDbBytes: files.db,
      collectionsWalBytes: files.wal,
      modelsBytes: pathSize(engine.paths.models),
    },
    counts: {
      collections: c.collections,
      documents: c.documents,
      chunks: engine.vectors.countChunks(),
      conversations: c.conversations,
      messages: c.messages,
      goldenAnswers: c.golden_answers,
      clients: c.clients,
      memoryFacts: c.memory_facts,
    },
    caches: engine.caches.stats(),
    appLock: { enabled: engine.services.get(appLockService).enabled, locked: false },
    // The chunk count above is only what is rebuilt so far: say so.
    ...(rebuilding ? { rebuilding } : {}),
  };
}

/** What a locked engine may tell anyone: versions and that it is locked, nothing about the data. */
async function lockedStatus(engine: Engine): Promise<Status> {
  const [row] = await engine.db.query<{ server_version: string }>(
    `SELECT current_setting('server_version') AS server_version`,
  );
  const { versions, schema, engine: runtimeEngine } = runtime(engine, row!.server_version);
  return {
    app: { ...APP_INFO },
    versions,
    dataDir: '',
    schema,
    engine: runtimeEngine,
    stores: { pgBytes: 0, collectionsDbBytes: 0, collectionsWalBytes: 0, modelsBytes: 0 },
    counts: {
      collections: 0,
      documents: 0,
      chunks: 0,
      conversations: 0,
      messages: 0,
      goldenAnswers: 0,
      clients: 0,
      memoryFacts: 0,
    },
    caches: [],
    appLock: { enabled: true, locked: true },
  };
}
