import { recordAudit } from '../../stores/audit/audit.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import { defineService } from '../../engine/services.ts';
import { PustakaError } from '../../base/errors.ts';
import { formatWait, unlockWaitMs } from './backoff.ts';
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

export async function openAppLock(db: Db, opts: AppLockOptions = {}): Promise<AppLock> {
  const now = opts.now ?? Date.now;
  const read = async () => (await db.query<ProfileLockRow>(SELECT_ROW))[0]!;
  const first = await read();
  let enabled = first.lock_passphrase_hash !== null;
  let idleMinutes = first.idle_minutes ?? DEFAULT_IDLE_MINUTES;
  // A new engine (app start, CLI process) always starts locked when the lock is on.
  let locked = enabled;
  let lastActivity = now();
  let timer: NodeJS.Timeout | undefined;

  function idleExpired(): boolean {
    return enabled && !locked && idleMinutes > 0 && now() - lastActivity >= idleMinutes * 60_000;
  }

  /** Locks once the idle window has passed; otherwise re-arms itself for the remainder. */
  function checkIdle(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (idleExpired()) locked = true;
    if (!enabled || locked || idleMinutes === 0) return;
    const remaining = Math.max(1_000, idleMinutes * 60_000 - (now() - lastActivity));
    timer = setTimeout(checkIdle, remaining);
    timer.unref(); // an armed auto-lock must never keep a CLI process alive
  }

  async function status(): Promise<AppLockStatus> {
    checkIdle();
    const row = await read();
    const blockedUntil = row.unlock_blocked_until?.getTime() ?? 0;
    return {
      enabled,
      locked,
      idleMinutes,
      failedAttempts: row.failed_unlock_attempts,
      retryAfterMs: Math.max(0, blockedUntil - now()),
      updatedAt: row.lock_updated_at?.toISOString() ?? null,
    };
  }

  /**
   * Checks a passphrase against the stored hash, with back-off: while a wait is running nothing
   * is even hashed, and each wrong passphrase doubles the next wait.
   */
  async function checkPassphrase(passphrase: string, purpose: 'unlock' | 'disable'): Promise<void> {
    const row = await read();
    if (row.lock_passphrase_hash === null) throw notEnabled();
    const waitMs = (row.unlock_blocked_until?.getTime() ?? 0) - now();
    if (waitMs > 0) {
      throw new PustakaError('locked', `too many wrong passphrases: try again in ${formatWait(waitMs)}`, {
        reason: 'blocked',
        retryAfterMs: waitMs,
        failedAttempts: row.failed_unlock_attempts,
      });
    }
    if (await verifyPassphrase(passphrase, row.lock_passphrase_hash)) {
      if (row.failed_unlock_attempts > 0 || row.unlock_blocked_until) {
        await db.query(
          'UPDATE profile SET failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1',
        );
      }
      return;
    }
    const [updated] = await db.query<{ failed_unlock_attempts: number }>(
      'UPDATE profile SET failed_unlock_attempts = failed_unlock_attempts + 1 WHERE id = 1 RETURNING failed_unlock_attempts',
    );
    const failedAttempts = updated!.failed_unlock_attempts;
    const retryAfterMs = unlockWaitMs(failedAttempts);
    if (retryAfterMs > 0) {
      await db.query('UPDATE profile SET unlock_blocked_until = $1 WHERE id = 1', [
        new Date(now() + retryAfterMs),
      ]);
    }
    await recordAudit(db, {
      action: 'lock.unlock_failed',
      targetType: 'profile',
      targetId: 1,
      details: { purpose, failedAttempts, retryAfterMs },
    });
    const wait = retryAfterMs > 0 ? `; wait ${formatWait(retryAfterMs)} before the next try` : '';
    throw new PustakaError('locked', `wrong passphrase (${failedAttempts} in a row${wait})`, {
      reason: 'wrong_passphrase',
      failedAttempts,
      retryAfterMs,
    });
  }

  async function saveIdleMinutes(minutes: number): Promise<void> {
    await db.query(`UPDATE profile SET settings = jsonb_set(settings, '{appLock}', $1::jsonb) WHERE id = 1`, [
      JSON.stringify({ idleMinutes: minutes }),
    ]);
    idleMinutes = minutes;
  }

  function checkMinutes(minutes: number): void {
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_IDLE_MINUTES) {
      throw new PustakaError(
        'invalid_params',
        `idle minutes must be a whole number from 0 (never) to ${MAX_IDLE_MINUTES}`,
      );
    }
  }

  return {
    get enabled() {
      return enabled;
    },
    get locked() {
      checkIdle();
      return locked;
    },
    status,
    async enable(passphrase, minutes) {
      if (enabled) {
        throw new PustakaError(
          'conflict',
          'the app lock is already enabled; disable it first to change the passphrase',
        );
      }
      if (minutes !== undefined) checkMinutes(minutes);
      const hash = await hashPassphrase(passphrase);
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE profile SET lock_passphrase_hash = $1, lock_updated_at = now(),
             failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1`,
          [hash],
        );
        await recordAudit(tx, {
          action: 'lock.enable',
          targetType: 'profile',
          targetId: 1,
          details: { idleMinutes: minutes ?? idleMinutes },
        });
      });
      if (minutes !== undefined) await saveIdleMinutes(minutes);
      enabled = true;
      locked = false; // whoever just chose the passphrase is present
      lastActivity = now();
      checkIdle();
      return status();
    },
    async disable(passphrase) {
      await checkPassphrase(passphrase, 'disable');
      await db.transaction(async (tx) => {
        await tx.query(
          `UPDATE profile SET lock_passphrase_hash = NULL, lock_updated_at = now(),
             failed_unlock_attempts = 0, unlock_blocked_until = NULL WHERE id = 1`,
        );
        await recordAudit(tx, { action: 'lock.disable', targetType: 'profile', targetId: 1 });
      });
      enabled = false;
      locked = false;
      checkIdle();
      return status();
    },
    async unlock(passphrase) {
      if (!enabled) throw notEnabled();
      await checkPassphrase(passphrase, 'unlock');
      locked = false;
      lastActivity = now();
      checkIdle();
      return status();
    },
    async lock() {
      if (!enabled) throw notEnabled();
      locked = true;
      checkIdle();
      return status();
    },
    async setIdleMinutes(minutes) {
      checkMinutes(minutes);
      const before = idleMinutes;
      await saveIdleMinutes(minutes);
      await recordAudit(db, {
        action: 'lock.idle_minutes',
        targetType: 'profile',
        targetId: 1,
        details: { from: before, to: minutes },
      });
      lastActivity = now();
      checkIdle();
      return status();
    },
    touch() {
      lastActivity = now();
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
