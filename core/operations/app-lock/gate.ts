import { PustakaError } from '../../base/errors.ts';
import type { AppLock } from './app-lock.ts';

/**
 * Methods that answer while the app is locked. They reveal nothing sensitive (status is blanked
 * while locked) and do not count as activity, so a lock screen polling them never keeps the app
 * unlocked. `appLock.disable` checks the passphrase itself.
 */
export const ALLOWED_WHILE_LOCKED: ReadonlySet<string> = new Set([
  'status',
  'appLock.status',
  'appLock.unlock',
  'appLock.lock',
  'appLock.disable',
  // The desktop shell's idle signal for the nightly worker: an input, it returns nothing private.
  'worker.activity',
]);

/**
 * One connection's own unlock (`appLock.unlock` with `scope: 'connection'`): its calls get through
 * a locked app, and nobody else's do. A CLI attached to the running app unlocks only its own
 * connection, so the app stays locked for whoever is at its window, and nothing has to be locked
 * again when the command ends (or is interrupted). It lasts as long as the connection.
 */
export interface ConnectionLock {
  unlocked: boolean;
}

/** Whether a call over `connection` (none: in-process) finds the app locked. */
export function lockedFor(lock: AppLock, connection?: ConnectionLock): boolean {
  return lock.enabled && lock.locked && connection?.unlocked !== true;
}

/**
 * Refuses a call with `locked` while the app is locked for its connection; otherwise records it
 * as activity.
 */
export function checkAppLock(
  lock: AppLock,
  method: string,
  connection?: ConnectionLock,
): PustakaError | null {
  if (!lock.enabled) return null;
  if (ALLOWED_WHILE_LOCKED.has(method)) return null;
  if (lockedFor(lock, connection)) {
    return new PustakaError('locked', 'Pustaka is locked: unlock it with your passphrase first', {
      reason: 'locked',
    });
  }
  lock.touch();
  return null;
}
