import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { AppLockStatusResult } from '../../contract/methods/app-lock.ts';
import { PustakaError } from '../../base/errors.ts';
import { formatWait } from '../../base/format-duration.ts';
import type { CliContext } from '../context.ts';
import { findPassphrase, terminalPrompt } from '../lock-passphrase.ts';
import { addCommands, command } from '../command.ts';

export function renderLockStatus(s: AppLockStatusResult): string {
  if (!s.enabled) return 'App lock  off (turn it on with: pustaka lock enable)';
  const rows = [
    `App lock  on · ${s.locked ? 'locked' : 'unlocked'}`,
    `Auto-lock ${s.idleMinutes === 0 ? 'never' : `after ${s.idleMinutes} min without activity`}`,
  ];
  if (s.failedAttempts > 0) {
    const wait = s.retryAfterMs > 0 ? ` · next try in ${formatWait(s.retryAfterMs)}` : '';
    rows.push(
      `Failures  ${s.failedAttempts} wrong passphrase${s.failedAttempts === 1 ? '' : 's'} in a row${wait}`,
    );
  }
  return rows.join('\n');
}

function idleMinutesArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 24 * 60) {
    throw new Error(`"${value}" is not a number of minutes from 0 (never) to 1440`);
  }
  return n;
}

/** The current passphrase: --passphrase-file, PUSTAKA_PASSPHRASE or the terminal. */
async function givenPassphrase(file: string | undefined): Promise<string> {
  const p = await findPassphrase({ file, env: process.env.PUSTAKA_PASSPHRASE, prompt: terminalPrompt() });
  if (p === null) {
    throw new PustakaError(
      'invalid_params',
      'give the passphrase with --passphrase-file FILE or PUSTAKA_PASSPHRASE (on a terminal you are asked for it)',
    );
  }
  return p;
}

/** A new passphrase; typed twice when it comes from the terminal. */
async function newPassphrase(file: string | undefined): Promise<string> {
  const prompt = terminalPrompt();
  const p = await findPassphrase({ file, env: process.env.PUSTAKA_PASSPHRASE, prompt }, 'New passphrase: ');
  if (p === null) {
    throw new PustakaError(
      'invalid_params',
      'give the new passphrase with --passphrase-file FILE or PUSTAKA_PASSPHRASE (on a terminal you are asked for it)',
    );
  }
  if (!file && !process.env.PUSTAKA_PASSPHRASE && prompt) {
    if ((await prompt('Again: ')) !== p)
      throw new PustakaError('invalid_params', 'the two passphrases differ');
  }
  return p;
}

const status = command({
  name: 'status',
  isDefault: true,
  description: 'whether the lock is on, its auto-lock time and failed attempts',
  method: 'appLock.status',
  unlock: false,
  params: () => ({}),
  human: renderLockStatus,
});

const passphraseFile = (what: string) => ['--passphrase-file <file>', what] as const;

const enable = command({
  name: 'enable',
  options: [
    passphraseFile('read the new passphrase from this file'),
    ['--idle-minutes <n>', 'auto-lock after this many idle minutes (0 = never; default 15)', idleMinutesArg],
  ],
  description: 'turn the lock on (the passphrase is kept only as an scrypt hash)',
  method: 'appLock.enable',
  unlock: false,
  prepare: async (client, _a, o: { passphraseFile?: string; idleMinutes?: number }) => {
    if ((await client.call('appLock.status', {})).enabled) {
      throw new ApiCallError({
        code: 'conflict',
        message: 'the app lock is already on; to change the passphrase, disable it and enable it again',
      });
    }
    return newPassphrase(o.passphraseFile);
  },
  params: (_a, o, passphrase) => ({
    passphrase,
    ...(o.idleMinutes !== undefined ? { idleMinutes: o.idleMinutes } : {}),
  }),
  human: (s) =>
    `App lock on. Every Pustaka start now asks for the passphrase; it locks itself after ${s.idleMinutes === 0 ? 'no idle time (never)' : `${s.idleMinutes} idle minutes`}.\nThere is no way to recover a forgotten passphrase except a backup from before.`,
});

const disable = command({
  name: 'disable',
  options: [passphraseFile('read the passphrase from this file')],
  description: 'turn the lock off (needs the passphrase)',
  method: 'appLock.disable',
  unlock: false,
  prepare: (_c, _a, o: { passphraseFile?: string }) => givenPassphrase(o.passphraseFile),
  params: (_a, _o, passphrase) => ({ passphrase }),
  human: () => 'App lock off.',
});

const unlock = command({
  name: 'unlock',
  options: [passphraseFile('read the passphrase from this file')],
  description:
    'check the passphrase and unlock (also a running app or `pustaka serve`: this command runs in it)',
  method: 'appLock.unlock',
  unlock: false,
  prepare: (_c, _a, o: { passphraseFile?: string }) => givenPassphrase(o.passphraseFile),
  params: (_a, _o, passphrase) => ({ passphrase }),
  human: () => 'Passphrase accepted: unlocked.',
});

const lockNow = command({
  name: 'lock',
  description: 'lock now',
  method: 'appLock.lock',
  unlock: false,
  params: () => ({}),
  human: () => 'Locked.',
});

const idle = command({
  name: 'idle',
  args: [['<minutes>', 'auto-lock after this many minutes without activity (0 = never)', idleMinutesArg]],
  description: 'set the auto-lock time',
  method: 'appLock.setIdleMinutes',
  params: ([minutes]: [number]) => ({ minutes }),
  human: renderLockStatus,
});

export function registerLock(program: Command, ctx: CliContext): void {
  const lock = program
    .command('lock')
    .description('the app lock: a passphrase that gates the app and its API (not disk encryption)');
  addCommands(lock, ctx, [status, enable, disable, unlock, lockNow, idle]);
}
