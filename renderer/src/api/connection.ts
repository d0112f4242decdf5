import type { ApiClient } from '../../../core/contract/client.ts';
import { createApiClient } from '../../../core/contract/client.ts';
import { createMessageTransport, type MessageTransport } from '../../../core/contract/message-transport.ts';
import { bridgeChannel } from './bridge-channel.ts';
import { takeToken } from './token.ts';
import { openWebSocketChannel } from './websocket-channel.ts';

export type Connection =
  | { status: 'connecting' }
  | { status: 'ready'; client: ApiClient; generation: number }
  | { status: 'needs-token' }
  | { status: 'refused'; message: string }
  | { status: 'lost'; message: string; retryInMs: number }
  | { status: 'failed'; message: string };

type Listener = (c: Connection) => void;

const RETRY_MS = 2_000;

/**
 * Finds the engine: the Electron bridge when the preload set one, otherwise the WebSocket of
 * `pustaka serve` on this page's host. Reports each change of state so the UI can show a
 * clear screen instead of calls that fail one by one.
 */
export function connectToEngine(onChange: Listener): () => void {
  let generation = 0;
  let stopped = false;
  let current: MessageTransport | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  const emit = (c: Connection) => {
    if (!stopped) onChange(c);
  };
  const ready = (t: MessageTransport) => {
    current = t;
    emit({ status: 'ready', client: createApiClient(t.transport), generation: ++generation });
  };

  const bridge = window.pustaka;
  if (bridge) {
    // The bridge queues requests until the engine's port arrives, so 'starting' is usable too;
    // it calls back at once with the current state.
    const offState = bridge.onEngineState((state) => {
      if (state.status === 'ready' || state.status === 'starting') {
        if (!current) ready(createMessageTransport(bridgeChannel(bridge)));
        return;
      }
      current?.close(state.message ?? `the engine is ${state.status}`);
      current = null;
      if (state.status === 'failed')
        emit({ status: 'failed', message: state.message ?? 'the engine stopped' });
      else emit({ status: 'lost', message: state.message ?? 'the engine is restarting', retryInMs: 0 });
    });
    return () => {
      stopped = true;
      offState();
      current?.close('the window closed');
    };
  }

  const token = takeToken();
  if (!token) {
    emit({ status: 'needs-token' });
    return () => void (stopped = true);
  }
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/api`;

  const open = (isRetry: boolean) => {
    if (!isRetry) emit({ status: 'connecting' });
    const { channel, opened } = openWebSocketChannel(url, token);
    void opened.then((outcome) => {
      if (stopped) return;
      if (!outcome.opened) {
        // A refused first connection means a wrong token; a refused retry means the server is down.
        if (isRetry) scheduleRetry(outcome.reason);
        else emit({ status: 'refused', message: outcome.reason });
        return;
      }
      const transport = createMessageTransport(channel);
      channel.onClose?.((reason) => {
        if (current === transport) current = null;
        scheduleRetry(reason);
      });
      ready(transport);
    });
  };
  const scheduleRetry = (reason: string) => {
    emit({ status: 'lost', message: reason, retryInMs: RETRY_MS });
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => open(true), RETRY_MS);
  };
  open(false);
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    current?.close('the page closed');
  };
}
