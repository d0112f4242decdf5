/**
 * A golden answer is only as good as the passages it was made from. Chunk ids are never reused
 * (AUTOINCREMENT), so a cited chunk that no longer exists means its document was re-imported with
 * new content or deleted: the answer is flagged stale (and no longer served) until reviewed.
 */
import type { Engine } from '../../engine/engine.ts';

interface Row {
  id: number | bigint;
  sources: { chunk_id?: unknown; chunkId?: unknown; title?: unknown; source_path?: unknown }[];
}

/** Flags approved and draft answers whose cited passages are gone; returns how many. */
export async function refreshGoldenStaleness(engine: Engine): Promise<number> {
  const rows = await engine.db.query<Row>(
    `SELECT id, sources FROM golden_answers
      WHERE review_status IN ('approved', 'draft') AND jsonb_array_length(sources) > 0`,
  );
  if (rows.length === 0) return 0;
  const stale: { id: number; reason: string }[] = [];
  for (const r of rows) {
    const gone = r.sources.filter((s) => {
      const chunk = Number(s.chunk_id ?? s.chunkId);
      return Number.isSafeInteger(chunk) && chunk > 0 && !engine.vectors.hasChunk(chunk);
    });
    if (gone.length === 0) continue;
    const names = [...new Set(gone.map((s) => String(s.title ?? s.source_path ?? 'a document')))];
    stale.push({
      id: Number(r.id),
      reason: `its source changed or was removed: ${names.slice(0, 3).join(', ')}${names.length > 3 ? '…' : ''}`,
    });
  }
  if (stale.length === 0) return 0;
  await engine.db.transaction(async (tx) => {
    for (const s of stale) {
      await tx.query(
        `UPDATE golden_answers SET review_status = 'stale', stale_reason = $2
          WHERE id = $1 AND review_status IN ('approved', 'draft')`,
        [s.id, s.reason],
      );
    }
  });
  await engine.events.emit('golden-changed', { reason: 'stale sources' });
  return stale.length;
}
