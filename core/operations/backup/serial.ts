import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';

/**
 * Backup work on one data dir runs one operation at a time (two snapshots at once would double the
 * memory and disk use for nothing, and a prune must not delete what a verify is reading).
 */
interface BackupState {
  /** The tail of the queue of backup operations. */
  queue: Promise<unknown>;
  /** Archive paths this process is writing now, so a catalogue sync leaves them alone. */
  writing: Set<string>;
}

const backupService = defineService<BackupState>('backups', () => ({
  queue: Promise.resolve(),
  writing: new Set(),
}));

export function serialized<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  const state = engine.services.get(backupService);
  const run = state.queue.then(fn, fn);
  state.queue = run.catch(() => undefined);
  return run;
}

/** Archive paths this process is writing now (per engine), so a catalogue sync leaves them alone. */
export function busyPaths(engine: Engine): Set<string> {
  return engine.services.get(backupService).writing;
}
