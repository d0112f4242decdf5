import { EventEmitter } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import type { EngineState, PustakaBridge } from '../../core/contract/bridge.ts';
import type { ServerMessage } from '../../core/contract/protocol.ts';

// Stub electron: the preload must expose exactly one thing, and use ipcRenderer only inside.
const exposed: Record<string, unknown> = {};
const ipcRenderer = Object.assign(new EventEmitter(), { send: vi.fn() });
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer,
  webUtils: { getPathForFile: (f: { path?: string }) => f.path ?? '' },
}));
await import('./preload.ts');
const { IPC } = await import('./preload-bridge.ts');

const bridge = exposed.pustaka as PustakaBridge;
const flush = () => new Promise((r) => setTimeout(r, 20));

/** main → page: a port to a fake engine (Node's MessageChannel speaks the DOM port API). */
function connectEngine() {
  const { port1: page, port2: engine } = new MessageChannel();
  const received: unknown[] = [];
  engine.on('message', (m) => received.push(m));
  ipcRenderer.emit(IPC.port, { ports: [page], sender: ipcRenderer }, 'extra');
  return { engine, received };
}

describe('preload bridge', () => {
  it('exposes only window.pustaka with send/onMessage/onEngineState, and asks main for a port', () => {
    expect(Object.keys(exposed)).toEqual(['pustaka']);
    expect(Object.keys(bridge).sort()).toEqual(['onEngineState', 'onMessage', 'pathForFile', 'send']);
    expect(bridge.pathForFile!({ path: '/home/c/visa.pdf' })).toBe('/home/c/visa.pdf');
    expect(ipcRenderer.send).toHaveBeenCalledWith(IPC.connect);
  });

  it('queues requests until the port arrives, then forwards only protocol messages both ways', async () => {
    const got: ServerMessage[] = [];
    const off = bridge.onMessage((m) => got.push(m));
    bridge.send({ type: 'request', id: 1, method: 'status', params: {} });
    expect(() => bridge.send({ type: 'nope', id: 2 } as never)).toThrow(/type/);
    expect(() => bridge.send({ type: 'request', id: -1, method: 'x', params: {} })).toThrow(/id/);
    const { engine, received } = connectEngine();
    await flush();
    expect(received).toEqual([{ type: 'request', id: 1, method: 'status', params: {} }]);

    engine.postMessage({ type: 'event', id: 1, event: { type: 'token', text: 'hi' } });
    engine.postMessage({ type: 'whatever', id: 1 });
    engine.postMessage('raw string');
    engine.postMessage({ type: 'response', id: 1, ok: true, result: { fine: true } });
    await flush();
    expect(got).toEqual([
      { type: 'event', id: 1, event: { type: 'token', text: 'hi' } },
      { type: 'response', id: 1, ok: true, result: { fine: true } },
    ]);
    off();
    engine.postMessage({ type: 'response', id: 9, ok: true, result: 1 });
    await flush();
    expect(got).toHaveLength(2);
    engine.close();
  });

  it('answers open calls with "disconnected" when the engine restarts, and passes on its state', async () => {
    const states: EngineState[] = [];
    bridge.onEngineState((s) => states.push(s));
    const got: ServerMessage[] = [];
    bridge.onMessage((m) => got.push(m));
    const { received } = connectEngine();
    bridge.send({ type: 'request', id: 5, method: 'ask', params: { question: 'q' } });
    await flush();
    expect(received).toHaveLength(1);

    ipcRenderer.emit(IPC.state, {}, { status: 'restarting', message: 'the engine stopped unexpectedly' });
    ipcRenderer.emit(IPC.state, {}, { status: 'bogus' });
    expect(states.map((s) => s.status)).toEqual(['starting', 'restarting']);
    expect(got).toEqual([
      {
        type: 'response',
        id: 5,
        ok: false,
        error: {
          code: 'internal',
          message: 'the engine stopped unexpectedly',
          details: { disconnected: true },
        },
      },
    ]);
    // The new engine's port replaces the old one.
    const next = connectEngine();
    bridge.send({ type: 'cancel', id: 5 });
    await flush();
    expect(next.received).toEqual([{ type: 'cancel', id: 5 }]);
  });

  it('ignores a port message without exactly one port', () => {
    expect(() => ipcRenderer.emit(IPC.port, { ports: [] })).not.toThrow();
    expect(() => ipcRenderer.emit(IPC.port, { ports: [{}, {}] })).not.toThrow();
  });
});
