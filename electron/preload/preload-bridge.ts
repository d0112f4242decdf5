import type { EngineState, PustakaBridge } from '../../core/contract/bridge.ts';
import { isServerMessage, parseClientMessage } from '../../core/contract/protocol-check.ts';
import type { ServerMessage } from '../../core/contract/protocol.ts';

/** A DOM MessagePort as the preload sees it (kept structural: no DOM types in this project). */
export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: { data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** The two IPC channels the preload listens on and the one it sends; nothing else. */
export interface PreloadIpc {
  onPort(listener: (ports: readonly unknown[]) => void): void;
  onEngineState(listener: (state: unknown) => void): void;
  requestPort(): void;
}

export const IPC = {
  /** main → page: a MessagePort to the engine (a new one after each engine restart). */
  port: 'pustaka:engine-port',
  /** main → page: EngineState. */
  state: 'pustaka:engine-state',
  /** page → main: please connect me to the engine. */
  connect: 'pustaka:engine-connect',
} as const;

const STATUSES: readonly string[] = ['starting', 'ready', 'restarting', 'failed'];
const MAX_QUEUED = 1_000;

function isPort(value: unknown): value is PortLike {
  const p = value as PortLike | null;
  return typeof p?.postMessage === 'function' && typeof p.addEventListener === 'function';
}

export function isEngineState(value: unknown): value is EngineState {
  const s = value as EngineState | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    STATUSES.includes(s.status) &&
    (s.message === undefined || typeof s.message === 'string')
  );
}

/**
 * `window.pustaka`: forwards protocol messages between the page and the engine's MessagePort,
 * checked both ways and copied as plain data; the page never sees a port, an IPC event or
 * ipcRenderer. Requests sent before the port arrives wait for it. When the engine goes away
 * (restart, failure, a new port), calls still open are answered with a `disconnected` error so
 * none hangs.
 */
export function createPreloadBridge(ipc: PreloadIpc): PustakaBridge {
  const messageListeners = new Set<(m: ServerMessage) => void>();
  const stateListeners = new Set<(s: EngineState) => void>();
  const open = new Set<number>();
  let port: PortLike | null = null;
  let queue: unknown[] = [];
  let lastState: EngineState = { status: 'starting' };

  const deliver = (m: ServerMessage) => {
    for (const l of messageListeners) l(structuredClone(m));
  };

  function settleOpenCalls(reason: string): void {
    for (const id of [...open]) {
      open.delete(id);
      deliver({
        type: 'response',
        id,
        ok: false,
        error: { code: 'internal', message: reason, details: { disconnected: true } },
      });
    }
  }

  ipc.onPort((ports) => {
    const next = ports[0];
    if (ports.length !== 1 || !isPort(next)) return;
    if (port) {
      port.close();
      settleOpenCalls('the engine restarted; try again');
    }
    port = next;
    next.addEventListener('message', (e) => {
      if (port !== next || !isServerMessage(e.data)) return;
      if (e.data.type === 'response') open.delete(e.data.id);
      deliver(e.data);
    });
    next.start();
    for (const m of queue) next.postMessage(m);
    queue = [];
  });

  ipc.onEngineState((state) => {
    if (!isEngineState(state)) return;
    lastState = { status: state.status, ...(state.message !== undefined ? { message: state.message } : {}) };
    if (state.status === 'restarting' || state.status === 'failed') {
      settleOpenCalls(state.message ?? 'the engine stopped');
    }
    for (const l of stateListeners) l({ ...lastState });
  });

  ipc.requestPort();

  return {
    send(message) {
      const parsed = parseClientMessage(message);
      if ('error' in parsed) throw new TypeError(`pustaka.send: ${parsed.error}`);
      const plain = parsed.message;
      if (plain.type === 'request') open.add(plain.id);
      if (port) port.postMessage(plain);
      else if (queue.length < MAX_QUEUED) queue.push(plain);
      else throw new Error('pustaka.send: the engine is not connected yet and too many messages wait');
    },
    onMessage(listener) {
      if (typeof listener !== 'function') throw new TypeError('pustaka.onMessage needs a function');
      messageListeners.add(listener);
      return () => void messageListeners.delete(listener);
    },
    onEngineState(listener) {
      if (typeof listener !== 'function') throw new TypeError('pustaka.onEngineState needs a function');
      stateListeners.add(listener);
      listener({ ...lastState }); // the state now, so a late subscriber is not left guessing
      return () => void stateListeners.delete(listener);
    },
  };
}
