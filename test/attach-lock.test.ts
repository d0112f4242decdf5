// The app lock and attached CLI commands: the passphrase a CLI gives over its attach connection
// unlocks that connection only, never the app (so nothing needs locking again afterwards, and no
// Ctrl-C, second CLI or user at the screen can be caught in between). `pustaka lock unlock` still
// unlocks the app: the user asked for exactly that.
import { afterEach, describe, expect, it } from 'vitest';
import { attachToEngine } from '../core/cli/attach-client.ts';
import { withClient } from '../core/cli/session.ts';
import { ApiCallError, createApiClient, type ApiClient } from '../core/contract/client.ts';
import { startAttachServer } from '../core/server/attach-server.ts';
import { openTestEngine } from './support/engine.ts';

const PASSPHRASE = 'Sambal-Matah 9 malam!';
const never = new AbortController().signal;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An engine behind an attach server, its lock on and locked; `local` is the app's own client. */
async function lockedHolder() {
  const te = await openTestEngine();
  const server = await startAttachServer({ dataDir: te.dataDir, dispatcher: te.dispatcher });
  cleanups.push(() => server.close());
  await te.client.call('appLock.enable', { passphrase: PASSPHRASE });
  await te.client.call('appLock.lock', {});
  return { dataDir: te.dataDir, local: te.client, server };
}

/** Runs `fn` as a CLI whose environment gives `passphrase` (PUSTAKA_PASSPHRASE). */
async function withPassphrase<T>(passphrase: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.PUSTAKA_PASSPHRASE;
  process.env.PUSTAKA_PASSPHRASE = passphrase;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.PUSTAKA_PASSPHRASE;
    else process.env.PUSTAKA_PASSPHRASE = saved;
  }
}

async function appLocked(local: ApiClient): Promise<boolean> {
  return (await local.call('appLock.status', {})).locked;
}

/** A promise and what resolves it. */
function signalled(): [Promise<void>, () => void] {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return [promise, resolve];
}

async function raw(dataDir: string): Promise<ApiClient> {
  const attached = await attachToEngine(dataDir, never);
  if (!attached) throw new Error('expected to attach');
  cleanups.push(() => attached.close());
  return createApiClient(attached.transport);
}

describe('an attached command on a locked app', () => {
  it('runs with the passphrase while the app stays locked, during the command and after', async () => {
    const { dataDir, local } = await lockedHolder();
    const seen = await withPassphrase(PASSPHRASE, () =>
      withClient({ dataDir }, never, async (c, link) => {
        expect(link.attached).toBe(true);
        const status = await c.call('status', {});
        return {
          collections: await c.call('collections.list', {}),
          dataDir: status.dataDir,
          // What the app's window (or anyone at the screen) gets meanwhile.
          appLocked: await appLocked(local),
          appRefused: await local.call('collections.list', {}).catch((e: ApiCallError) => e.code),
        };
      }),
    );
    expect(seen).toEqual({ collections: [], dataDir, appLocked: true, appRefused: 'locked' });
    expect(await appLocked(local)).toBe(true);
  });

  it('Ctrl-C inside the command leaves the app locked', async () => {
    const { dataDir, local } = await lockedHolder();
    const ctrlC = new AbortController();
    const run = withPassphrase(PASSPHRASE, () =>
      withClient({ dataDir }, ctrlC.signal, async (c) => {
        await c.call('collections.list', {});
        ctrlC.abort();
        return c.call('collections.list', {});
      }),
    );
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(await appLocked(local)).toBe(true);
  });

  it('two CLIs at once both work; neither locks the other out', async () => {
    const { dataDir, local } = await lockedHolder();
    const [secondStarted, startedSecond] = signalled();
    const [firstEnded, endFirst] = signalled();
    let second: Promise<unknown[]> | undefined;
    const lists = await withPassphrase(PASSPHRASE, async () => {
      const first = withClient({ dataDir }, never, async (c) => {
        const list = await c.call('collections.list', {});
        // A second command starts while the first runs, and goes on after the first has ended.
        second = withClient({ dataDir }, never, async (c2) => {
          const before = await c2.call('collections.list', {});
          startedSecond();
          await firstEnded;
          return [before, await c2.call('collections.list', {})];
        });
        await secondStarted;
        return list;
      }).finally(endFirst);
      return [await first, ...(await second!)];
    });
    expect(lists).toEqual([[], [], []]);
    expect(await appLocked(local)).toBe(true);
  });

  it('an app its user unlocked meanwhile stays unlocked after the command', async () => {
    const { dataDir, local } = await lockedHolder();
    await withPassphrase(PASSPHRASE, () =>
      withClient({ dataDir }, never, async (c) => {
        await c.call('collections.list', {});
        await local.call('appLock.unlock', { passphrase: PASSPHRASE }); // the user, at the window
        return c.call('collections.list', {});
      }),
    );
    expect(await appLocked(local)).toBe(false);
    expect(await local.call('collections.list', {})).toEqual([]);
  });

  it('a connection unlocked for itself unlocks no other connection', async () => {
    const { dataDir, local } = await lockedHolder();
    const [a, b] = [await raw(dataDir), await raw(dataDir)];
    await a.call('appLock.unlock', { passphrase: PASSPHRASE, scope: 'connection' });
    expect(await a.call('collections.list', {})).toEqual([]);
    await expect(b.call('collections.list', {})).rejects.toMatchObject({ code: 'locked' });
    expect(await appLocked(local)).toBe(true);
    // `status` shows the data to the unlocked connection only.
    expect((await a.call('status', {})).dataDir).toBe(dataDir);
    expect((await b.call('status', {})).dataDir).toBe('');
  });

  it('wrong passphrases over an attach connection count in the lock\u2019s back-off', async () => {
    const { dataDir, local } = await lockedHolder();
    for (let i = 1; i <= 3; i++) {
      const err = await withPassphrase('not the passphrase', () =>
        withClient({ dataDir }, never, (c) => c.call('collections.list', {})),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiCallError);
      expect((err as ApiCallError).details).toMatchObject({ reason: 'wrong_passphrase', failedAttempts: i });
    }
    const status = await local.call('appLock.status', {});
    expect(status).toMatchObject({ locked: true, failedAttempts: 3 });
    expect(status.retryAfterMs).toBeGreaterThan(0);
    // While the back-off runs, the right passphrase is not even tried: no way around it by attaching.
    const blocked = await withPassphrase(PASSPHRASE, () =>
      withClient({ dataDir }, never, (c) => c.call('collections.list', {})),
    ).catch((e: unknown) => e);
    expect((blocked as ApiCallError).details).toMatchObject({ reason: 'blocked' });
  });

  it('`pustaka lock unlock` (no scope) over an attach connection unlocks the app, as asked', async () => {
    const { dataDir, local } = await lockedHolder();
    const c = await raw(dataDir);
    await c.call('appLock.unlock', { passphrase: PASSPHRASE });
    expect(await appLocked(local)).toBe(false);
    await c.call('appLock.lock', {});
    expect(await appLocked(local)).toBe(true);
  });

  it('in-process (the CLI\u2019s own engine), scope "connection" unlocks that engine', async () => {
    const te = await openTestEngine();
    await te.client.call('appLock.enable', { passphrase: PASSPHRASE });
    await te.client.call('appLock.lock', {});
    await te.client.call('appLock.unlock', { passphrase: PASSPHRASE, scope: 'connection' });
    expect(await appLocked(te.client)).toBe(false);
  });
});
