// Runs an import into an existing collection of a test engine on a worker pool of the test's own
// (a stand-in reader that crashes, stalls or hangs on cue) and with limits of its own.
import type { ImportEvent } from '../../core/contract/methods/imports.ts';
import { getCollection } from '../../core/knowledge/collections/collections.ts';
import { DEFAULT_LIMITS, runImport, type ImportLimits } from '../../core/knowledge/import/importer.ts';
import type { TestEngine } from './engine.ts';

export async function importWithPool(
  t: TestEngine,
  collection: string,
  pool: Parameters<typeof runImport>[0]['pool'],
  paths: string[],
  limits: ImportLimits = DEFAULT_LIMITS,
) {
  const c = await getCollection(t.engine.db, t.engine.vectors, collection);
  const events: ImportEvent[] = [];
  const summary = await runImport(
    { db: t.engine.db, vectors: t.engine.vectors, events: t.engine.events, pool, embedder: null },
    {
      id: c.id,
      name: c.name,
      embedderId: c.embedderId,
      chunkSize: c.chunkSize,
      chunkOverlap: c.chunkOverlap,
      ocr: c.ocr,
    },
    { paths },
    { limits, onEvent: (e) => events.push(e) },
  );
  return { summary, events };
}
