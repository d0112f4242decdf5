import { createApiClient, type ApiClient, type Transport } from '../contract/client.ts';
import { isPustakaError } from '../base/errors.ts';
import { resolveDataDir } from '../base/paths.ts';
import { attachToEngine, attachWhenReady, type AttachedEngine } from './attach-client.ts';
import { localizePaths } from './local-paths.ts';
import { unlockForCli } from './unlock-session.ts';

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
}

/** Which engine runs a session's calls. */
export interface EngineLink {
  /** True: the running engine of `pustaka serve` or the desktop app (it stays open after the command). */
  attached: boolean;
  /** The engine's process. */
  pid: number;
}

interface SessionOptions {
  /** `false` for the lock's own commands, which handle the passphrase themselves. */
  unlock?: boolean;
}

/** Every call of the session gets the command's signal (Ctrl-C) unless it brings its own. */
function clientOver(transport: Transport, signal: AbortSignal): ApiClient {
  return createApiClient((method, params, o) =>
    transport(method, params, { ...o, signal: o.signal ?? signal }),
  );
}

/**
 * The running engine of `pustaka serve` or the desktop app runs the calls. On a locked app the
 * passphrase unlocks this connection only: the app stays locked for whoever is at its window and
 * for every other connection, and nothing is left to lock again when the command ends, fails or
 * is interrupted.
 */
async function withAttached<T>(
  attached: AttachedEngine,
  dataDir: string,
  signal: AbortSignal,
  fn: (client: ApiClient, link: EngineLink) => Promise<T>,
  session: SessionOptions,
): Promise<T> {
  try {
    const client = clientOver(
      (method, params, o) => attached.transport(method, localizePaths(method, params, dataDir), o),
      signal,
    );
    if (session.unlock !== false && (await client.call('appLock.status', {})).locked) {
      await unlockForCli(client);
    }
    return await fn(client, { attached: true, pid: attached.pid });
  } finally {
    attached.close();
  }
}

/** Nothing holds the folder: this process opens the engine itself (and takes the folder's lock). */
async function openLocal(dataDir: string) {
  // Loaded here, not at the top: a command that attaches never loads the engine.
  const [{ openEngine }, { createDispatcher }, { appLockService }] = await Promise.all([
    import('../startup/open-engine.ts'),
    import('../api/dispatcher.ts'),
    import('../operations/app-lock/app-lock.ts'),
  ]);
  const engine = await openEngine({ dataDir });
  return {
    engine,
    dispatcher: createDispatcher(engine),
    locked: () => engine.services.get(appLockService).locked,
  };
}

async function withLocal<T>(
  local: Awaited<ReturnType<typeof openLocal>>,
  signal: AbortSignal,
  fn: (client: ApiClient, link: EngineLink) => Promise<T>,
  session: SessionOptions,
): Promise<T> {
  try {
    const client = clientOver((method, params, o) => local.dispatcher.call(method, params, o), signal);
    if (session.unlock !== false && local.locked()) await unlockForCli(client);
    return await fn(client, { attached: false, pid: process.pid });
  } finally {
    await local.engine.close();
  }
}

/**
 * The CLI is a carrier like the others: it talks to the engine only through the typed client, so
 * every command exercises the same API the app uses. The engine is the running one of
 * `pustaka serve` or the desktop app when one holds the data folder (its attach file says where
 * it listens), else one this process opens; a command behaves the same either way.
 */
export async function withClient<T>(
  opts: GlobalOptions,
  signal: AbortSignal,
  fn: (client: ApiClient, link: EngineLink) => Promise<T>,
  session: SessionOptions = {},
): Promise<T> {
  const dataDir = resolveDataDir(opts.dataDir);
  const attached = await attachToEngine(dataDir, signal);
  if (attached) return withAttached(attached, dataDir, signal, fn, session);
  let local: Awaited<ReturnType<typeof openLocal>>;
  try {
    local = await openLocal(dataDir);
  } catch (err) {
    // A holder that was still opening when we looked may be listening now, or soon.
    if (!isPustakaError(err) || err.code !== 'data_dir_in_use') throw err;
    const late = await attachWhenReady(dataDir, err, signal, (line) => process.stderr.write(line));
    if (!late) throw err;
    return withAttached(late, dataDir, signal, fn, session);
  }
  return withLocal(local, signal, fn, session);
}
