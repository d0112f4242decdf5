/**
 * Repairing the search index (collections.db, derived data), at start-up and at run time alike:
 * a damaged file is moved aside (kept, never deleted), an empty one takes its place, and every
 * document whose chunks are missing gets rebuilt from its source file by an import job marked
 * `rebuild` (core/knowledge/import/index-rebuild.ts reports and runs those).
 */
import type { Engine } from '../engine/engine.ts';
import type { DataPaths } from '../base/paths.ts';
import type { Db, Queryable } from '../stores/pg/pg-store.ts';
import { createJob } from '../knowledge/import/jobs.ts';
import { noteRebuildQueued, trackRepair, type RebuildJobOptions } from '../knowledge/import/index-rebuild.ts';
import {
  checkIndexInBackground,
  rebuildInBackground,
  startRebuild,
} from '../knowledge/import/rebuild-runner.ts';
import { reconcileStores, type ReconcileReport } from '../stores/reconcile.ts';
import { setAsideCollectionsDb, type StoreRepair } from '../stores/store-damage.ts';
import { setCollectionEmbedderId } from '../stores/vectors/reembed.ts';
import type { VectorStore } from '../stores/vectors/store.ts';

interface CollectionRow {
  id: number;
  embedder_id: string;
  embedding_dim: number;
}

async function collectionRows(db: Queryable): Promise<CollectionRow[]> {
  return db.query<CollectionRow>('SELECT id, embedder_id, embedding_dim FROM collections ORDER BY id');
}

/** A new (or emptied) collections.db learns each collection's dimension and embedder again. */
function registerCollections(vectors: VectorStore, rows: CollectionRow[]): void {
  const known = new Set(vectors.collectionIds());
  for (const r of rows) {
    if (known.has(Number(r.id))) continue;
    vectors.ensureCollection(Number(r.id), Number(r.embedding_dim));
    setCollectionEmbedderId(vectors, Number(r.id), r.embedder_id);
  }
}

/**
 * Queues the rebuild of `missing` documents: one interrupted import job per collection over their
 * source files (merged into a rebuild job of that collection still waiting, if any), so that
 * `import --resume`, or a long-lived engine by itself, rebuilds them.
 */
async function queueRebuild(db: Db, missing: number[], setAside: string | null): Promise<number[]> {
  if (missing.length === 0) return [];
  const rows = await db.query<{ collection_id: number; paths: string[] }>(
    // A document inside another file (a mailbox's message) is rebuilt by reading that file.
    `SELECT collection_id, array_agg(DISTINCT coalesce(metadata->>'container', source_path)) AS paths FROM documents
      WHERE id = ANY($1::bigint[]) GROUP BY collection_id ORDER BY collection_id`,
    [missing],
  );
  const why = setAside
    ? `collections.db was damaged and moved to ${setAside}; resume to rebuild it from the source files`
    : 'chunks were missing from collections.db; resume to rebuild them from the source files';
  const jobs: number[] = [];
  const since = new Date().toISOString();
  for (const r of rows) {
    const [waiting] = await db.query<{ id: number }>(
      `UPDATE import_jobs SET paths = ARRAY(SELECT DISTINCT p FROM unnest(paths || $2::text[]) AS p ORDER BY p),
              error = $3, heartbeat_at = now()
        WHERE id = (SELECT id FROM import_jobs WHERE collection_id = $1 AND status = 'interrupted'
                      AND kind = 'import' AND options @> '{"rebuild": true}'::jsonb ORDER BY id LIMIT 1)
        RETURNING id`,
      [r.collection_id, r.paths, why],
    );
    if (waiting) {
      jobs.push(Number(waiting.id));
      continue;
    }
    const options: RebuildJobOptions = { rebuild: true, setAside, since };
    const id = await createJob(db, Number(r.collection_id), 'import', r.paths, { ...options });
    // Interrupted from the start: nothing runs it yet, and a sweep of `running` jobs at the next
    // start must not be needed to make it resumable.
    await db.query("UPDATE import_jobs SET status = 'interrupted', error = $2 WHERE id = $1", [id, why]);
    jobs.push(id);
  }
  return jobs;
}

/**
 * Makes an opened store agree with Postgres (core/stores/reconcile.ts) and queues the rebuild of
 * what it lacks. `setAside`: where a damaged file was moved, if one was.
 */
export async function reconcileAndQueue(
  db: Db,
  vectors: VectorStore,
  setAside: string | null,
  opts: { dropOrphans?: boolean } = {},
): Promise<{ reconcile: ReconcileReport; repair: StoreRepair }> {
  registerCollections(vectors, await collectionRows(db));
  const reconcile = await reconcileStores(db, vectors, opts);
  const rebuildJobs = await queueRebuild(db, reconcile.missingChunks, setAside);
  if (reconcile.titlesAdded > 0)
    console.warn(
      `pustaka: search index upgraded: the titles of ${reconcile.titlesAdded} documents were added to the keyword index`,
    );
  return {
    reconcile,
    repair: {
      collectionsDbSetAside: setAside,
      rebuildJobs,
      requeuedDocuments: reconcile.missingChunks.length,
    },
  };
}

/**
 * Replaces a damaged collections.db under an open store: the file (with its -wal and -shm) is
 * moved aside, an empty one opened in its place and every collection registered again, in one
 * synchronous step (an import running meanwhile writes to the new file); then the documents whose
 * chunks are now missing are marked pending and their rebuild queued. Chunks an import wrote to
 * the new file before Postgres marked their document are not orphans here.
 */
export async function replaceDamagedStore(
  paths: DataPaths,
  db: Db,
  vectors: VectorStore,
): Promise<{ reconcile: ReconcileReport; repair: StoreRepair }> {
  const rows = await collectionRows(db);
  let setAside: string | null = null;
  vectors.reset(() => {
    setAside = setAsideCollectionsDb(paths);
  });
  registerCollections(vectors, rows);
  return reconcileAndQueue(db, vectors, setAside, { dropOrphans: false });
}

/**
 * Wires run-time damage to the repair: the first operation that finds collections.db damaged
 * (SQLITE_CORRUPT, SQLITE_NOTADB, a failed background check) starts one replacement; operations
 * failing meanwhile get `index_rebuilding` and may wait for it (whenIndexReplaced).
 */
export function repairDamageAtRunTime(engine: Engine): void {
  engine.vectors.onDamage((cause) => {
    trackRepair(engine, async () => {
      try {
        const { repair } = await replaceDamagedStore(engine.paths, engine.db, engine.vectors);
        const reason = cause instanceof Error ? cause.message : String(cause);
        console.error(
          `pustaka: ${engine.paths.collectionsDb} was damaged (${reason}); moved to ${repair.collectionsDbSetAside ?? '(nothing to move)'}; rebuilding ${repair.requeuedDocuments} documents from their source files`,
        );
        noteRebuildQueued(engine);
        // Cached searches and answers, and the golden index (kept in the same file), start over.
        const collectionIds = (await collectionRows(engine.db)).map((r) => Number(r.id));
        await engine.events.emit('collections-changed', { collectionIds });
        await engine.events.emit('golden-changed', { reason: 'collections.db was replaced' });
        startRebuild(engine);
      } catch (err) {
        console.error(`pustaka: could not replace the damaged ${engine.paths.collectionsDb}:`, err);
      }
    });
  });
}

/**
 * After open: run-time damage goes to the repair, and a long-lived engine (`background`) rebuilds
 * by itself what is queued and checks a file that was too large to check at open.
 */
export function startIndexUpkeep(
  engine: Engine,
  opts: { background: boolean; checkedAtOpen: boolean },
): void {
  repairDamageAtRunTime(engine);
  if (!opts.background) return;
  rebuildInBackground(engine);
  if (!opts.checkedAtOpen) checkIndexInBackground(engine);
}
