import type { Command } from 'commander';
import { ApiCallError } from '../../contract/client.ts';
import type { AppLockStatusResult } from '../../contract/methods/app-lock.ts';
import { PustakaError } from '../../base/errors.ts';
import { formatWait } from '../../operations/app-lock/backoff.ts';
import type { CliContext } from '../context.ts';
import { findPassphrase, terminalPrompt } from '../lock-passphrase.ts';
import { withClient } from '../session.ts';

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

export function registerLock(program: Command, ctx: CliContext): void {
  const { signal } = ctx;
  const lock = program
    .command('lock')
    .description('the app lock: a passphrase that gates the app and its API (not disk encryption)');
  const noUnlock = { unlock: false };

  lock
    .command('status', { isDefault: true })
    .description('whether the lock is on, its auto-lock time and failed attempts')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(
        opts,
        signal,
        async (client) => {
          const s = await client.call('appLock.status', {});
          ctx.print(opts, renderLockStatus(s), s);
        },
        noUnlock,
      );
    });

  lock
    .command('enable')
    .option('--passphrase-file <file>', 'read the new passphrase from this file')
    .option(
      '--idle-minutes <n>',
      'auto-lock after this many idle minutes (0 = never; default 15)',
      idleMinutesArg,
    )
    .description('turn the lock on (the passphrase is kept only as an scrypt hash)')
    .action(async (o: { passphraseFile?: string; idleMinutes?: number }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(
        opts,
        signal,
        async (client) => {
          if ((await client.call('appLock.status', {})).enabled) {
            throw new ApiCallError({
              code: 'conflict',
              message: 'the app lock is already on; to change the passphrase, disable it and enable it again',
            });
          }
          const passphrase = await newPassphrase(o.passphraseFile);
          const s = await client.call('appLock.enable', {
            passphrase,
            ...(o.idleMinutes !== undefined ? { idleMinutes: o.idleMinutes } : {}),
          });
          ctx.print(
            opts,
            `App lock on. Every Pustaka start now asks for the passphrase; it locks itself after ${s.idleMinutes === 0 ? 'no idle time (never)' : `${s.idleMinutes} idle minutes`}.\nThere is no way to recover a forgotten passphrase except a backup from before.`,
            s,
          );
        },
        noUnlock,
      );
    });

  lock
    .command('disable')
    .option('--passphrase-file <file>', 'read the passphrase from this file')
    .description('turn the lock off (needs the passphrase)')
    .action(async (o: { passphraseFile?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(
        opts,
        signal,
        async (client) => {
          const s = await client.call('appLock.disable', {
            passphrase: await givenPassphrase(o.passphraseFile),
          });
          ctx.print(opts, 'App lock off.', s);
        },
        noUnlock,
      );
    });

  lock
    .command('unlock')
    .option('--passphrase-file <file>', 'read the passphrase from this file')
    .description('check the passphrase and unlock (a running app or server unlocks through its own screen)')
    .action(async (o: { passphraseFile?: string }, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(
        opts,
        signal,
        async (client) => {
          const s = await client.call('appLock.unlock', {
            passphrase: await givenPassphrase(o.passphraseFile),
          });
          ctx.print(opts, 'Passphrase accepted: unlocked.', s);
        },
        noUnlock,
      );
    });

  lock
    .command('lock')
    .description('lock now')
    .action(async (_o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(
        opts,
        signal,
        async (client) => {
          const s = await client.call('appLock.lock', {});
          ctx.print(opts, 'Locked.', s);
        },
        noUnlock,
      );
    });

  lock
    .command('idle')
    .argument('<minutes>', 'auto-lock after this many minutes without activity (0 = never)', idleMinutesArg)
    .description('set the auto-lock time')
    .action(async (minutes: number, _o, cmd: Command) => {
      const opts = ctx.globals(cmd);
      await withClient(opts, signal, async (client) => {
        const s = await client.call('appLock.setIdleMinutes', { minutes });
        ctx.print(opts, renderLockStatus(s), s);
      });
    });
}
