import { z } from 'zod';
import { defineMethod } from '../contract.ts';
import { noEvent } from './common.ts';

/** Passphrases are never echoed in errors: zod's messages name the rule, not the value. */
const newPassphrase = z
  .string()
  .min(8, 'a passphrase needs at least 8 characters')
  .max(1_024, 'a passphrase is at most 1,024 characters')
  .refine((s) => s.trim() === s, 'a passphrase cannot start or end with spaces')
  .refine((s) => !/\p{Cc}/u.test(s), 'a passphrase cannot contain control characters');
const givenPassphrase = z
  .string()
  .min(1, 'the passphrase is empty')
  .max(1_024, 'a passphrase is at most 1,024 characters');
const idleMinutes = z
  .number()
  .int()
  .min(0)
  .max(24 * 60);

export const appLockStatusSchema = z.object({
  enabled: z.boolean(),
  locked: z.boolean(),
  /** Auto-lock after this many minutes without API calls; 0 = never. */
  idleMinutes: z.number().int(),
  /** Wrong passphrases in a row. */
  failedAttempts: z.number().int(),
  /** Milliseconds until another unlock attempt is accepted (0 = now). */
  retryAfterMs: z.number().int(),
  updatedAt: z.string().nullable(),
});
export type AppLockStatusResult = z.output<typeof appLockStatusSchema>;

export const appLockStatusContract = defineMethod({
  method: 'appLock.status',
  summary:
    'Whether the app lock is enabled and locked, its idle time-out and back-off (answers while locked).',
  params: z.object({}).strict().default({}),
  result: appLockStatusSchema,
  event: noEvent,
});

export const appLockEnableContract = defineMethod({
  method: 'appLock.enable',
  summary: 'Turn the app lock on with a passphrase (stored only as an scrypt hash).',
  params: z.object({ passphrase: newPassphrase, idleMinutes: idleMinutes.optional() }).strict(),
  result: appLockStatusSchema,
  event: noEvent,
});

export const appLockDisableContract = defineMethod({
  method: 'appLock.disable',
  summary: 'Turn the app lock off; needs the passphrase.',
  params: z.object({ passphrase: givenPassphrase }).strict(),
  result: appLockStatusSchema,
  event: noEvent,
});

export const appLockUnlockContract = defineMethod({
  method: 'appLock.unlock',
  summary:
    'Unlock with the passphrase; wrong ones make the next try wait longer and longer. ' +
    "scope 'connection': unlock only the connection the call came over (an attached CLI command), the app stays locked.",
  params: z
    .object({
      passphrase: givenPassphrase,
      /**
       * 'app' (default): the app, for every window and connection. 'connection': only the
       * connection this call came over, for as long as it is open; the app's own state (and
       * `appLock.status`) stays as it is. In-process, where the engine is the caller's own, the
       * two are one.
       */
      scope: z.enum(['app', 'connection']).optional(),
    })
    .strict(),
  result: appLockStatusSchema,
  event: noEvent,
});

export const appLockLockContract = defineMethod({
  method: 'appLock.lock',
  summary: 'Lock now.',
  params: z.object({}).strict().default({}),
  result: appLockStatusSchema,
  event: noEvent,
});

export const appLockSetIdleMinutesContract = defineMethod({
  method: 'appLock.setIdleMinutes',
  summary: 'Auto-lock after this many minutes without API calls (0 = never).',
  params: z.object({ minutes: idleMinutes }).strict(),
  result: appLockStatusSchema,
  event: noEvent,
});
