import path from 'node:path';
import { PustakaError } from '../../base/errors.ts';
import { modelFilePath } from '../llm/model-location.ts';
import { BUILTIN_EMBEDDER } from './builtin-spec.ts';
import { createBuiltinEmbedder } from './builtin.ts';
import { createLlamaEmbedder } from './llama.ts';
import type { Embedder } from './types.ts';

/** Which embedder a collection uses: the built-in one, or an embedding GGUF on disk. */
export interface EmbedderSpec {
  embedderId: string;
  /** As the collection stores it: a name in the data folder's `models/`, or an absolute path. */
  modelPath: string | null;
}

/**
 * Loaded embedders, one per model file, shared by imports and searches and closed with the
 * engine. A GGUF model runs in its own process (see llama.ts), so a native crash cannot take the
 * engine down; loading validates the file first.
 */
export interface EmbedderRegistry {
  builtin(): Embedder;
  /** Loads (once) the embedder of a GGUF file; its id is derived from the file's content. */
  loadModel(modelPath: string): Promise<Embedder>;
  /** The embedder a collection was built with; refuses if its model file is gone or changed. */
  forCollection(spec: EmbedderSpec): Promise<Embedder>;
  close(): Promise<void>;
}

/** `modelsDir`: the data folder's `models/`, against which a collection's model name resolves. */
export function createEmbedderRegistry(modelsDir: string): EmbedderRegistry {
  let builtin: Embedder | undefined;
  const models = new Map<string, Promise<Embedder>>();

  const loadModel = (modelPath: string): Promise<Embedder> => {
    const abs = path.resolve(modelPath);
    let loading = models.get(abs);
    if (!loading) {
      loading = createLlamaEmbedder({ modelPath: abs });
      loading.catch(() => models.delete(abs));
      models.set(abs, loading);
    }
    return loading;
  };

  return {
    builtin: () => (builtin ??= createBuiltinEmbedder()),
    loadModel,
    async forCollection(spec) {
      if (spec.embedderId === BUILTIN_EMBEDDER.id) return (builtin ??= createBuiltinEmbedder());
      if (!spec.modelPath) {
        throw new PustakaError(
          'not_found',
          `the embedding model ${spec.embedderId} of this collection is not known`,
        );
      }
      const file = modelFilePath(modelsDir, spec.modelPath);
      let embedder: Embedder;
      try {
        embedder = await loadModel(file);
      } catch (err) {
        throw new PustakaError(
          'not_found',
          `the collection's embedding model ${file} cannot be loaded (${(err as Error).message}); put the file back or re-embed the collection with another model`,
          { modelPath: file },
          { cause: err },
        );
      }
      if (embedder.id !== spec.embedderId) {
        throw new PustakaError(
          'conflict',
          `the model file ${file} changed since the collection was embedded (${embedder.id} ≠ ${spec.embedderId}); re-embed the collection`,
          { modelPath: file },
        );
      }
      return embedder;
    },
    async close() {
      const loaded = await Promise.allSettled(models.values());
      models.clear();
      await Promise.all(loaded.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)));
    },
  };
}
