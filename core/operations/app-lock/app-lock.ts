import { recordAudit } from '../../stores/audit/audit.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import { defineService } from '../../engine/services.ts';
import { PustakaError } from '../../base/errors.ts';
import { formatWait } from '../../base/format-duration.ts';
import { unlockWaitMs } from './backoff.ts';
import { hashPassphrase, verifyPassphrase } from './passphrase-hash.ts';

export const DEFAULT_IDLE_MINUTES = 15;
export const MAX_IDLE_MINUTES = 24 * 60;

export interface AppLockStatus {
  enabled: boolean;
  locked: boolean;
  /** Auto-lock after this many minutes without API calls; 0 = never. */
  idleMinutes: number;
  failedAttempts: number;
  /** Milliseconds until another unlock attempt is accepted (0 = now). */
  retryAfterMs: number;
  updatedAt: string | null;
}

/**
 * The app lock of one engine: a passphrase (scrypt hash in `profile`) that gates the API, and
 * the in-memory locked/unlocked state with its idle timer. It is not encryption: the data
 * files stay readable to anyone who can read the disk.
 */
export interface AppLock {
  readonly enabled: boolean;
  readonly locked: boolean;
  status(): Promise<AppLockStatus>;
  enable(passphrase: string, idleMinutes?: number): Promise<AppLockStatus>;
  disable(passphrase: string): Promise<AppLockStatus>;
  unlock(passphrase: string): Promise<AppLockStatus>;
  /**
   * Checks the passphrase as `unlock` does (a wrong one counts in the back-off) without unlocking
   * the app: for a connection that unlocks only itself.
   */
  verify(passphrase: string): Promise<AppLockStatus>;
  lock(): Promise<AppLockStatus>;
  setIdleMinutes(minutes: number): Promise<AppLockStatus>;
  /** Records API activity: keeps an unlocked engine from auto-locking. */
  touch(): void;
  close(): void;
}

export interface AppLockOptions {
  /** Milliseconds since the epoch; tests inject a clock to drive auto-lock and back-off. */
  now?: () => number;
}

interface ProfileLockRow {
  lock_passphrase_hash: string | null;
  lock_updated_at: Date | null;
  failed_unlock_attempts: number;
  unlock_blocked_until: Date | null;
  idle_minutes: number | null;
}

const SELECT_ROW = `SELECT lock_passphrase_hash, lock_updated_at, failed_unlock_attempts, unlock_blocked_until,
  (settings #>> '{appLock,idleMinutes}')::int AS idle_minutes FROM profile WHERE id = 1`;

function notEnabled(): PustakaError {
  return new PustakaError('conflict', 'the app lock is not enabled (enable it with a passphrase first)');
}

/** The engine's app lock: opened at start-up (core/startup), closed with the engine. */
export const appLockService = defineService<AppLock>(
  'app-lock',
  () => {
    throw new Error('the app lock is opened at start-up, never on demand');
  },
  (lock) => lock.close(),
);

/** The mutable state of one open app lock; the functions below read and update it. */
interface LockState {
  db: Db;
  now: () => number;
  enabled: boolean;
  locked: boolean;
  idleMinutes: number;
  lastActivity: number;
  timer: NodeJS.Timeout | undefined;
}

/** Reads the profile's lock columns. */
async function readLockRow(db: Db): Promise<ProfileLockRow> {
  return (await db.query<ProfileLockRow>(SELECT_ROW))[0]!;
}

/** Whether an unlocked, enabled lock has been idle for its whole window. */
function idleExpired(s: LockState): boolean {
  return s.enabled && !s.locked && s.idleMinutes > 0 && s.now() - s.lastActivity >= s.idleMinutes * 60_000;
}

/** Stops the auto-lock timer, if one is armed. */
function clearIdleTimer(s: LockState): void {
  if (s.timer) clearTimeout(s.timer);
  s.timer = undefined;
}

/** Locks once the idle window has passed; otherwise re-arms itself for the remainder. */
function checkIdle(s: LockState): void {
  clearIdleTimer(s);
  if (idleExpired(s)) s.locked = true;
  if (!s.enabled || s.locked || s.idleMinutes === 0) return;
  const remaining = Math.max(1_000, s.idleMinutes * 60_000 - (s.now() - s.lastActivity));
  s.timer = setTimeout(() => checkIdle(s), remaining);
  s.timer.unref(); // an armed auto-lock must never keep a CLI process alive
}

/** The current status, after applying any pending auto-lock. */
async function lockStatus(s: LockState): Promise<AppLockStatus> {
  checkIdle(s);
  const row = await readLockRow(s.db);
  const blockedUntil = row.unlock_blocked_until?.getTime() ?? 0;
  return {
    enabled: s.enabled,
    locked: s.locked,
    idleMinutes: s.idleMinutes,
    failedAttempts: row.failed_unlock_attempts,
    retryAfterMs: Math.max(0, blockedUntil - s.now()),
    updatedAt: row.lock_updated_at?.toISOString() ?? null,
  };
}

/** Counts a wrong passphrase, starts its back-off, audits it, and returns the error to throw. */
async function recordWrongPassphrase(s: LockState, purpose: 'unlock' | 'disable'): Promise<PustakaError> {
  const [updated] = await s.db.query<{ failed_unlock_attempts: number }>(
    'UPDATE profile SET failed_unlock_attempts = failed_unlock_attempts + 1 WHERE id = 1 RETURNING failed_unlock_attempts',
  );
  const failedAttempts = updated!.failed_unlock_attempts;
  const retryAfterMs = unlockWaitMs(failedAttempts);
  if (retryAfterMs > 0) {
    await s.db.query('UPDATE profile SET unlock_blocked_until = $1 WHERE id = 1', [
      new Date(s.now() + retryAfterMs),
    ]);
  }
  await recordAudit(s.db, {
    action: 'lock.unlock_failed',
    targetType: 'profile',
    targetId: 1,
    details: { purpose, failedAttempts, retryAfterMs },
  });
  const wait = retryAfterMs > 0 ? `; wait ${formatWait(retryAfterMs)} before the next try` : '';
  return new PustakaError('locked', `wrong passphrase (${failedAttempts} in a row${wait})`, {
    reason: 'wrong_passphrase',
    failedAttempts,
    retryAfterMs,
  });
}

/**
 * Checks a passphrase against the stored hash, with back-off: while a wait is running nothing
 * is even hashed, and each wrong passphrase doubles the next wait.
 */
async function checkPassphrase(
  s: LockState,
  passphrase: string,
  purpose: 'unlock' | 'disable',
): Promise<void> {
  const row = await readLockRow(s.db);
  if (row.lock_passphrase_hash === null) throw notEnabled();
  const waitMs = (row.unlock_blocked_until?.getTime() ?? 0) - s.now();
  if (waitMs > 0) {
    throw new PustakaError('locked', `too many wrong passphrases: try again in ${formatWait(waitMs)}`, {
      reason: 'blocked',
      retryAfterMs: waitMs,
      failedAttempts: row.failed_unlock_attempts,
    });
  }
  if (await verifyPassphrase(passphrase, row.lock_passphrase_hash)) {
    if (row.failed_unlock_attempts > 0 || row.unlock_blocked_until) {
      await s.db.query(
        'UPDATE profile SET failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1',
      );
    }
    return;
  }
  throw await recordWrongPassphrase(s, purpose);
}

/** Stores the idle window in the profile settings and applies it. */
async function saveIdleMinutes(s: LockState, minutes: number): Promise<void> {
  await s.db.query(`UPDATE profile SET settings = jsonb_set(settings, '{appLock}', $1::jsonb) WHERE id = 1`, [
    JSON.stringify({ idleMinutes: minutes }),
  ]);
  s.idleMinutes = minutes;
}

/** Rejects an idle window that is not a whole number of minutes in range. */
function checkMinutes(minutes: number): void {
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_IDLE_MINUTES) {
    throw new PustakaError(
      'invalid_params',
      `idle minutes must be a whole number from 0 (never) to ${MAX_IDLE_MINUTES}`,
    );
  }
}

/** Turns the lock on with a new passphrase, leaving the engine unlocked. */
async function enableLock(s: LockState, passphrase: string, minutes?: number): Promise<AppLockStatus> {
  if (s.enabled) {
    throw new PustakaError(
      'conflict',
      'the app lock is already enabled; disable it first to change the passphrase',
    );
  }
  if (minutes !== undefined) checkMinutes(minutes);
  const hash = await hashPassphrase(passphrase);
  await s.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE profile SET lock_passphrase_hash = $1, lock_updated_at = now(),
             failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1`,
      [hash],
    );
    await recordAudit(tx, {
      action: 'lock.enable',
      targetType: 'profile',
      targetId: 1,
      details: { idleMinutes: minutes ?? s.idleMinutes },
    });
  });
  if (minutes !== undefined) await saveIdleMinutes(s, minutes);
  s.enabled = true;
  s.locked = false; // whoever just chose the passphrase is present
  s.lastActivity = s.now();
  checkIdle(s);
  return lockStatus(s);
}

/** Turns the lock off, given the current passphrase. */
async function disableLock(s: LockState, passphrase: string): Promise<AppLockStatus> {
  await checkPassphrase(s, passphrase, 'disable');
  await s.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE profile SET lock_passphrase_hash = NULL, lock_updated_at = now(),
             failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1`,
    );
    await recordAudit(tx, { action: 'lock.disable', targetType: 'profile', targetId: 1 });
  });
  s.enabled = false;
  s.locked = false;
  checkIdle(s);
  return lockStatus(s);
}

/** Unlocks the engine, given the passphrase. */
async function unlockWith(s: LockState, passphrase: string): Promise<AppLockStatus> {
  if (!s.enabled) throw notEnabled();
  await checkPassphrase(s, passphrase, 'unlock');
  s.locked = false;
  s.lastActivity = s.now();
  checkIdle(s);
  return lockStatus(s);
}

/** Checks the passphrase, with the back-off, and changes nothing else. */
async function verifyOnly(s: LockState, passphrase: string): Promise<AppLockStatus> {
  if (!s.enabled) throw notEnabled();
  await checkPassphrase(s, passphrase, 'unlock');
  return lockStatus(s);
}

/** Locks the engine now. */
async function lockNow(s: LockState): Promise<AppLockStatus> {
  if (!s.enabled) throw notEnabled();
  s.locked = true;
  checkIdle(s);
  return lockStatus(s);
}

/** Changes (and audits) the idle window, restarting it from now. */
async function changeIdleMinutes(s: LockState, minutes: number): Promise<AppLockStatus> {
  checkMinutes(minutes);
  const before = s.idleMinutes;
  await saveIdleMinutes(s, minutes);
  await recordAudit(s.db, {
    action: 'lock.idle_minutes',
    targetType: 'profile',
    targetId: 1,
    details: { from: before, to: minutes },
  });
  s.lastActivity = s.now();
  checkIdle(s);
  return lockStatus(s);
}

export async function openAppLock(db: Db, opts: AppLockOptions = {}): Promise<AppLock> {
  const now = opts.now ?? Date.now;
  const first = await readLockRow(db);
  const enabled = first.lock_passphrase_hash !== null;
  const s: LockState = {
    db,
    now,
    enabled,
    // A new engine (app start, CLI process) always starts locked when the lock is on.
    locked: enabled,
    idleMinutes: first.idle_minutes ?? DEFAULT_IDLE_MINUTES,
    lastActivity: now(),
    timer: undefined,
  };
  return {
    get enabled() {
      return s.enabled;
    },
    get locked() {
      checkIdle(s);
      return s.locked;
    },
    status: () => lockStatus(s),
    enable: (passphrase, minutes) => enableLock(s, passphrase, minutes),
    disable: (passphrase) => disableLock(s, passphrase),
    unlock: (passphrase) => unlockWith(s, passphrase),
    verify: (passphrase) => verifyOnly(s, passphrase),
    lock: () => lockNow(s),
    setIdleMinutes: (minutes) => changeIdleMinutes(s, minutes),
    touch() {
      s.lastActivity = now();
    },
    close: () => clearIdleTimer(s),
  };
}
