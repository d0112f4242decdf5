/**
 * Step 5: upkeep while nobody waits — expired cache entries out, golden answers whose sources
 * changed flagged stale, the golden index synced, the keyword index merged (FTS5 optimize), both
 * write-ahead logs checkpointed, and a scheduled backup taken with retention applied.
 */
import { createBackup, pruneBackups } from '../../backup/index.ts';
import { ensureGoldenIndex } from '../../../assistant/golden/lookup.ts';
import { refreshGoldenStaleness } from '../../../assistant/golden/staleness.ts';
import { throwIfAborted, type StepContext, type StepResult } from '../context.ts';

export async function maintenanceStep(ctx: StepContext): Promise<StepResult> {
  const { engine, signal } = ctx;
  const notes: string[] = [];
  engine.caches.purgeStale();
  const stale = await refreshGoldenStaleness(engine);
  if (stale) notes.push(`${stale} golden answer${stale === 1 ? '' : 's'} flagged stale`);
  throwIfAborted(signal);
  await ensureGoldenIndex(engine, signal);
  throwIfAborted(signal);
  ctx.progress(1, 4, 'optimising the keyword index');
  engine.vectors.optimizeKeywordIndex();
  ctx.progress(2, 4, 'checkpointing');
  engine.vectors.checkpoint();
  await engine.db.exec('CHECKPOINT');
  throwIfAborted(signal);
  ctx.progress(3, 4, 'backup');
  notes.push(...(await backupWithRetention(ctx)));
  return { note: notes.join('; ') || 'done' };
}

/** A scheduled backup at most once a day (unless turned off), then the retention policy. */
async function backupWithRetention(ctx: StepContext): Promise<string[]> {
  if (!ctx.options.backup) return ['backup turned off'];
  const { engine, signal } = ctx;
  const [recent] = await engine.db.query<{ id: number | bigint }>(
    `SELECT id FROM backups WHERE kind = 'scheduled' AND status IN ('ok', 'verified')
        AND created_at > now() - interval '20 hours' LIMIT 1`,
  );
  const notes: string[] = [];
  if (recent) notes.push('a scheduled backup from today exists');
  else {
    const b = await createBackup(engine, { kind: 'scheduled' }, { signal });
    notes.push(`backup ${b.fileName} (${Math.round((b.sizeBytes ?? 0) / 1024)} KiB)`);
  }
  const pruned = await pruneBackups(engine, undefined, { actor: 'worker' });
  if (pruned.deleted.length) notes.push(`${pruned.deleted.length} old backup(s) pruned`);
  return notes;
}
