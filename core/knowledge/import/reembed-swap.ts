import type { Collection } from '../../contract/methods/collections.ts';
import type { Engine } from '../../engine/engine.ts';
import { swapInStaged } from '../../stores/vectors/reembed.ts';
import type { ReembedTarget } from './reembed-plan.ts';

/** Re-embed stage 3a, swap in SQLite: the staged vectors replace the collection's at once. */
export function swapStagedVectors(engine: Engine, collectionId: number, target: ReembedTarget): void {
  swapInStaged(engine.vectors, collectionId, target.embedder.dim, target.embedder.id);
}

/**
 * Re-embed stage 3b, swap in Postgres (only after SQLite holds the new vectors): records the
 * collection's new embedder, dimension and model file, with an audit log entry, in one transaction.
 */
export async function recordEmbedderSwap(
  engine: Engine,
  before: Collection,
  target: ReembedTarget,
): Promise<void> {
  const { embedder } = target;
  await engine.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE collections SET embedder_id = $2, embedding_dim = $3,
           settings = settings || jsonb_build_object('embedderModel', $4::text) WHERE id = $1`,
      [before.id, embedder.id, embedder.dim, target.modelPath],
    );
    await tx.query(
      `INSERT INTO audit_logs (action, target_type, target_id, details) VALUES ('collection.reembed', 'collection', $1, $2)`,
      [String(before.id), { from: before.embedderId, to: embedder.id, modelPath: target.modelPath }],
    );
  });
}
