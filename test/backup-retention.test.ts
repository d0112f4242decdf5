// Retention applies to the worker's scheduled backups; restore points the user made (manual) or
// that a restore made (pre-restore) go only by an explicit `backup prune --include-manual`.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createBackup } from '../core/operations/backup/index.ts';
import { runWorker } from '../core/operations/nightly/run.ts';
import { openTestEngine } from './support/engine.ts';

describe('backup retention and the kind of a backup', () => {
  it('the maintenance step keeps manual and pre-restore backups; an explicit prune needs --include-manual', async () => {
    const { engine, client } = await openTestEngine();
    const safety = await createBackup(engine, { kind: 'pre-restore' });
    const manual = await createBackup(engine, { kind: 'manual' });

    // The worker right after (the report: a manual backup at 19:04, the worker at 19:05): it takes
    // the day's scheduled backup, newer than the manual one, then applies retention.
    const run = await runWorker(engine, { trigger: 'manual', steps: ['maintenance'] });
    expect(run.status).toBe('done');
    const listed = (await client.call('backup.list', {})).backups;
    expect(listed.map((b) => [b.kind, b.status]).sort()).toEqual([
      ['manual', 'ok'],
      ['pre-restore', 'ok'],
      ['scheduled', 'ok'],
    ]);
    expect(fs.existsSync(manual.path)).toBe(true);
    expect(fs.existsSync(safety.path)).toBe(true);

    // An explicit prune that keeps nothing still keeps them, and says why.
    const nothing = { daily: 0, weekly: 0, monthly: 0 };
    const pruned = await client.call('backup.prune', nothing);
    expect(pruned.deleted.map((b) => b.kind)).toEqual(['scheduled']);
    expect(pruned.kept.map((k) => [k.backup.id, k.reasons])).toEqual([
      [manual.id, ['manual backup: never pruned automatically']],
      [safety.id, ['pre-restore backup: never pruned automatically']],
    ]);

    // With --include-manual they go too, except the newest verified backup.
    await client.call('backup.verify', { backup: safety.id });
    const all = await client.call('backup.prune', { ...nothing, includeManual: true });
    expect(all.deleted.map((b) => b.id)).toEqual([manual.id]);
    expect(all.kept.map((k) => [k.backup.id, k.reasons])).toEqual([[safety.id, ['newest verified']]]);
    expect(fs.existsSync(manual.path)).toBe(false);
    expect(fs.existsSync(safety.path)).toBe(true);
  }, 180_000);
});
