import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createServiceRegistry } from '../../core/engine/services.ts';
import { appLockService, type AppLock } from '../../core/operations/app-lock/app-lock.ts';
import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../core/engine/engine.ts';
import { PustakaError } from '../../core/base/errors.ts';
import { attachFilePath } from '../../core/api/attach-endpoint.ts';
import { attachToEngine } from '../../core/cli/attach-client.ts';
import { createApiClient } from '../../core/contract/client.ts';
import { openEngine } from '../../core/startup/open-engine.ts';
import { tempDir } from '../../test/support/temp-dir.ts';
import { parseHostArgs, runEngineHost, type ParentPortLike, type PortMain } from './engine-host.ts';

/** Electron's MessagePortMain shape: 'message' events carry { data }. */
function portPair(): [PortMain & EventEmitter, PortMain & EventEmitter] {
  const make = () =>
    Object.assign(new EventEmitter(), {
      peer: null as (EventEmitter & { started: boolean }) | null,
      started: false,
      postMessage(m: unknown) {
        setImmediate(() => this.peer!.emit('message', { data: m }));
      },
      start() {
        this.started = true;
      },
      close(this: EventEmitter) {
        this.emit('close');
      },
    });
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

function parent() {
  const sent: unknown[] = [];
  const emitter = new EventEmitter();
  const port: ParentPortLike = {
    postMessage: (m) => sent.push(m),
    on: (e, l) => void emitter.on(e, l),
  };
  return {
    port,
    sent,
    emit: (data: unknown, ports: PortMain[] = []) => emitter.emit('message', { data, ports }),
  };
}

// The dispatcher consults only the app lock before refusing an unknown method.
const fakeEngine = {
  services: createServiceRegistry(() => fakeEngine),
  close: async () => {},
} as unknown as Engine;
fakeEngine.services.provide(appLockService, { enabled: false, locked: false } as unknown as AppLock);

describe('engine host', () => {
  it('parses the arguments main passes', () => {
    expect(parseHostArgs(['node', 'x', '--data-dir', '/d', '--template-dir', '/t'])).toEqual({
      dataDir: '/d',
      templateDir: '/t',
    });
    expect(() => parseHostArgs(['node', 'x'])).toThrow(/data-dir/);
  });

  it('serves ports connected before and after the engine opened, then reports ready', async () => {
    const p = parent();
    let resolveOpen: (e: Engine) => void = () => {};
    const [early, earlyPage] = portPair();
    const running = runEngineHost(
      p.port,
      () => new Promise((r) => (resolveOpen = r)),
      () => {},
      null,
    );
    p.emit({ type: 'connect' }, [early]);
    expect(p.sent).toEqual([]);
    resolveOpen(fakeEngine);
    await running;
    expect(p.sent).toEqual([{ type: 'ready' }]);
    expect((early as unknown as { started: boolean }).started).toBe(true);

    const [late, latePage] = portPair();
    p.emit({ type: 'connect' }, [late]);
    for (const page of [earlyPage, latePage]) {
      const reply = new Promise((r) => page.once('message', (e: { data: unknown }) => r(e.data)));
      page.postMessage({ type: 'request', id: 1, method: 'no.such', params: {} });
      expect(await reply).toMatchObject({
        type: 'response',
        id: 1,
        ok: false,
        error: { code: 'unknown_method' },
      });
    }
  });

  it('reports a fatal error with its code and exits 1 when the engine cannot open', async () => {
    const p = parent();
    const exits: number[] = [];
    await runEngineHost(
      p.port,
      () => Promise.reject(new PustakaError('data_dir_in_use', 'in use by pid 7')),
      (c) => exits.push(c),
    );
    expect(p.sent).toEqual([{ type: 'fatal', code: 'data_dir_in_use', message: 'in use by pid 7' }]);
    expect(exits).toEqual([1]);
  });

  it('closes the engine on shutdown, then exits 0', async () => {
    const p = parent();
    const exits: number[] = [];
    let closed = false;
    await runEngineHost(
      p.port,
      async () => ({ ...fakeEngine, close: async () => void (closed = true) }) as Engine,
      (c) => exits.push(c),
      null,
    );
    p.emit({ type: 'shutdown' });
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('serves the attach endpoint once open, so CLI commands run in its engine; removes it on shutdown', async () => {
    const dataDir = tempDir();
    const p = parent();
    const exits: number[] = [];
    await runEngineHost(
      p.port,
      () => openEngine({ dataDir }),
      (c) => exits.push(c),
    );
    expect(p.sent).toEqual([{ type: 'ready' }]);
    // Ready means ready for the CLI too.
    const attached = await attachToEngine(dataDir, new AbortController().signal);
    expect(attached?.pid).toBe(process.pid);
    const status = await createApiClient(attached!.transport).call('status', {});
    expect(status).toMatchObject({ dataDir, engine: { pid: process.pid } });
    attached!.close();

    p.emit({ type: 'shutdown' });
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(fs.existsSync(attachFilePath(dataDir))).toBe(false);
    expect(await attachToEngine(dataDir, new AbortController().signal)).toBeNull();
  });
});
