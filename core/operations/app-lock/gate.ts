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

/** Refuses a call with `locked` while the app is locked; otherwise records it as activity. */
export function checkAppLock(lock: AppLock, method: string): PustakaError | null {
  if (!lock.enabled) return null;
  if (ALLOWED_WHILE_LOCKED.has(method)) return null;
  if (lock.locked) {
    return new PustakaError('locked', 'Pustaka is locked: unlock it with your passphrase first', {
      reason: 'locked',
    });
  }
  lock.touch();
  return null;
}
