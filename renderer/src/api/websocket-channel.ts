import type { MessageChannelLike } from '../../../core/contract/message-transport.ts';
import type { ServerMessage } from '../../../core/contract/protocol.ts';

export type SocketOutcome = { opened: true } | { opened: false; reason: string };

/**
 * The headless carrier: one WebSocket to `pustaka serve`, authenticated by the token carried as
 * a subprotocol (browsers cannot set headers on a WebSocket). Resolves once it is open, or with
 * why it could not open.
 */
export function openWebSocketChannel(
  url: string,
  token: string,
): { channel: MessageChannelLike; opened: Promise<SocketOutcome> } {
  const socket = new WebSocket(url, ['pustaka.v1', `pustaka-token.${token}`]);
  const listeners = new Set<(m: ServerMessage) => void>();
  const closers = new Set<(reason: string) => void>();
  let wasOpen = false;

  const opened = new Promise<SocketOutcome>((resolve) => {
    socket.addEventListener('open', () => {
      wasOpen = true;
      resolve({ opened: true });
    });
    socket.addEventListener('close', (event) => {
      const reason =
        event.reason || (wasOpen ? 'the engine closed the connection' : 'the engine refused the connection');
      if (!wasOpen) resolve({ opened: false, reason });
      closers.forEach((l) => l(reason));
    });
  });

  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(event.data) as ServerMessage;
    } catch {
      return; // not ours: the protocol is JSON text frames only
    }
    listeners.forEach((l) => l(message));
  });

  const channel: MessageChannelLike = {
    send: (message) => {
      if (socket.readyState !== WebSocket.OPEN) throw new Error('the connection is closed');
      socket.send(JSON.stringify(message));
    },
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose: (listener) => {
      closers.add(listener);
      return () => closers.delete(listener);
    },
  };
  return { channel, opened };
}
