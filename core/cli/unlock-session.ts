import type { ApiClient } from '../contract/client.ts';
import { ApiCallError } from '../contract/client.ts';
import { PustakaError } from '../base/errors.ts';
import { findPassphrase, terminalPrompt } from './lock-passphrase.ts';

const TTY_TRIES = 3;

/**
 * With the app lock on, a command's engine is locked (its own engine starts locked, like any; the
 * running app's may be): it unlocks with PUSTAKA_PASSPHRASE, the file named by
 * PUSTAKA_PASSPHRASE_FILE, or a prompt on the terminal — or stops with a message saying how. The
 * unlock is for the command's connection only: attached to the running app, the app stays locked;
 * in-process the engine is the command's own.
 */
export async function unlockForCli(client: ApiClient): Promise<void> {
  const env = process.env;
  const prompt = terminalPrompt();
  for (let attempt = 1; ; attempt++) {
    const passphrase = await findPassphrase(
      { file: env.PUSTAKA_PASSPHRASE_FILE, env: env.PUSTAKA_PASSPHRASE, prompt },
      'Pustaka is locked. Passphrase: ',
    );
    if (passphrase === null) {
      throw new PustakaError(
        'locked',
        'Pustaka is locked: run this on a terminal to be asked for the passphrase, or set PUSTAKA_PASSPHRASE_FILE (a file holding it) or PUSTAKA_PASSPHRASE',
      );
    }
    try {
      await client.call('appLock.unlock', { passphrase, scope: 'connection' });
      return;
    } catch (err) {
      const retry =
        err instanceof ApiCallError &&
        err.details?.reason === 'wrong_passphrase' &&
        err.details.retryAfterMs === 0 &&
        prompt !== null &&
        !env.PUSTAKA_PASSPHRASE &&
        !env.PUSTAKA_PASSPHRASE_FILE &&
        attempt < TTY_TRIES;
      if (!retry) throw err;
      process.stderr.write(`${err.message}\n`);
    }
  }
}
