import type { Collection } from '../../contract/methods/collections.ts';
import type { Engine } from '../../engine/engine.ts';
import { PustakaError } from '../../base/errors.ts';
import { setCollectionEmbedder } from '../import/reembed-job.ts';
import { activeModel } from '../../models/llm/models.ts';
import { createCollection, deleteCollection, type NewCollection } from './collections.ts';

/**
 * A new collection embeds with the embedding model the user chose as default
 * (`pustaka models use NAME --for embedding`), or the built-in embedder when there is none. If the
 * chosen model cannot be loaded, nothing is created and the error says what to do.
 */
export async function createUserCollection(
  engine: Engine,
  input: NewCollection,
  signal: AbortSignal,
): Promise<Collection> {
  const created = await createCollection(engine.db, engine.vectors, input);
  const model = await activeModel(engine, 'embedding');
  if (!model) return created;
  try {
    const res = await setCollectionEmbedder(engine, created.id, model.path, {
      signal,
      emit: () => undefined,
    });
    return res.collection;
  } catch (err) {
    await deleteCollection(engine, created.id);
    throw new PustakaError(
      'invalid_params',
      `the default embedding model "${model.name}" cannot be used (${(err as Error).message}); choose another with \`pustaka models use NAME --for embedding\` or remove it`,
      { model: model.name },
    );
  }
}
