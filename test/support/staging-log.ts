import type { Engine } from '../../core/engine/engine.ts';
import type { Embedder } from '../../core/models/embed/types.ts';
import { rawHandleForTests } from '../../core/stores/vectors/store.ts';

export interface StagingLog {
  /** Chunk ids in `reembed_staging` right now, ascending. */
  stagedIds(): number[];
  /** How many times each chunk id was written to `reembed_staging` since the log started. */
  writes(): Map<number, number>;
}

/**
 * Logs every row the engine writes to the re-embed staging table, per chunk id, from now on: a
 * TEMP trigger on the engine's own SQLite connection (the one the re-embed writes through), into
 * a TEMP table, so nothing is left in collections.db. `INSERT OR REPLACE` fires it too, so a chunk
 * staged twice counts twice even though the table keeps one row.
 */
export function logStaging(engine: Engine): StagingLog {
  const db = rawHandleForTests(engine.vectors);
  db.exec(`
    CREATE TEMP TABLE IF NOT EXISTS test_staging_log (chunk_id INTEGER NOT NULL);
    DELETE FROM test_staging_log;
    CREATE TEMP TRIGGER IF NOT EXISTS test_staging_log_insert AFTER INSERT ON main.reembed_staging
    BEGIN INSERT INTO test_staging_log (chunk_id) VALUES (NEW.chunk_id); END;
  `);
  return {
    stagedIds: () =>
      (
        db.prepare('SELECT chunk_id AS id FROM reembed_staging ORDER BY chunk_id').all() as { id: number }[]
      ).map((r) => r.id),
    writes: () =>
      new Map(
        (
          db
            .prepare('SELECT chunk_id AS id, count(*) AS n FROM test_staging_log GROUP BY chunk_id')
            .all() as { id: number; n: number }[]
        ).map((r) => [r.id, r.n]),
      ),
  };
}

/** Counts the texts an embedder is asked to embed, from now on (wraps its `embed`). */
export function countEmbeds(embedder: Embedder): { texts: () => number } {
  let texts = 0;
  const embed = embedder.embed.bind(embedder);
  embedder.embed = (batch, ...rest) => {
    texts += batch.length;
    return embed(batch, ...rest);
  };
  return { texts: () => texts };
}
