/**
 * Step 5: upkeep while nobody waits — expired cache entries out, golden answers whose sources
 * changed flagged stale, the golden index synced, the search index checked (quick_check in a
 * worker thread), the keyword index merged (FTS5 optimize), both
 * write-ahead logs checkpointed, and a scheduled backup taken with retention applied.
 */
import { createBackup, hasRecentBackup, pruneBackups } from '../../backup/index.ts';
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
  ctx.progress(1, 5, 'checking the search index');
  // Every page read, off the main thread; damage found is set aside and rebuilt (index-repair.ts).
  const check = await engine.vectors.verifyFile({ signal });
  if (check.damaged) notes.push(`collections.db was damaged (${check.problem}): set aside, being rebuilt`);
  throwIfAborted(signal);
  ctx.progress(2, 5, 'optimising the keyword index');
  // A damaged file is being replaced: nothing of it is worth merging or checkpointing.
  if (!check.damaged) engine.vectors.optimizeKeywordIndex();
  ctx.progress(3, 5, 'checkpointing');
  if (!check.damaged) engine.vectors.checkpoint();
  await engine.db.exec('CHECKPOINT');
  throwIfAborted(signal);
  ctx.progress(4, 5, 'backup');
  notes.push(...(await backupWithRetention(ctx)));
  return { note: notes.join('; ') || 'done' };
}

/**
 * A scheduled backup at most once a day (unless turned off), then the retention policy — which
 * prunes scheduled backups only: manual and pre-restore ones are never pruned automatically.
 */
async function backupWithRetention(ctx: StepContext): Promise<string[]> {
  if (!ctx.options.backup) return ['backup turned off'];
  const { engine, signal } = ctx;
  const notes: string[] = [];
  // Only an archive in this folder counts (a copied catalogue's rows may name another folder's).
  if (await hasRecentBackup(engine, 'scheduled', 20)) notes.push('a scheduled backup from today exists');
  else {
    const b = await createBackup(engine, { kind: 'scheduled' }, { signal });
    notes.push(`backup ${b.fileName} (${Math.round((b.sizeBytes ?? 0) / 1024)} KiB)`);
  }
  const pruned = await pruneBackups(engine, undefined, { actor: 'worker', includeManual: false });
  if (pruned.deleted.length) notes.push(`${pruned.deleted.length} old backup(s) pruned`);
  return notes;
}
