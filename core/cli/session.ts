import { createApiClient, type ApiClient } from '../contract/client.ts';
import { createDispatcher } from '../api/dispatcher.ts';
import { openEngine, type Engine } from '../startup/open-engine.ts';
import { appLockService } from '../operations/app-lock/app-lock.ts';
import { resolveDataDir } from '../base/paths.ts';
import { unlockForCli } from './unlock-session.ts';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/**
 * The CLI is a carrier like the others: it opens the engine in-process and talks to it only
 * through the typed client, so every command exercises the same API the app uses.
 */
export async function withClient<T>(
  opts: GlobalOptions,
  signal: AbortSignal,
  fn: (client: ApiClient, engine: Engine) => Promise<T>,
  /** `unlock: false` for the lock's own commands, which handle the passphrase themselves. */
  session: { unlock?: boolean } = {},
): Promise<T> {
  const engine = await openEngine({ dataDir: resolveDataDir(opts.dataDir) });
  try {
    const dispatcher = createDispatcher(engine);
    const client = createApiClient((method, params, o) =>
      dispatcher.call(method, params, { ...o, signal: o.signal ?? signal }),
    );
    if (session.unlock !== false && engine.services.get(appLockService).locked) await unlockForCli(client);
    return await fn(client, engine);
  } finally {
    await engine.close();
  }
}
