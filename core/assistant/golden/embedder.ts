/**
 * The embedder golden questions are matched with: the data dir's active embedding model when one
 * is chosen (better paraphrase matching), otherwise the built-in one. Its id keys the semantic
 * index and the similarity threshold, so switching models re-embeds the golden questions.
 */
import type { Engine } from '../../engine/engine.ts';
import type { Embedder } from '../../models/embed/types.ts';
import { activeModel } from '../../models/llm/models.ts';

export async function goldenEmbedder(engine: Engine): Promise<Embedder> {
  const model = await activeModel(engine, 'embedding');
  if (!model || !model.fileExists) return engine.embedders.builtin();
  try {
    return await engine.embedders.loadModel(model.path);
  } catch {
    // A broken model must not stop golden answers: the built-in embedder still matches.
    return engine.embedders.builtin();
  }
}
