import type { Transport } from './client.ts';
import type { Envelope } from './envelope.ts';
import type { ClientMessage, ServerMessage } from './protocol.ts';
import { NO_CALL_ID } from './protocol-check.ts';

/**
 * Any duplex message channel: a browser WebSocket, the Electron preload bridge, a MessagePort.
 * Kept free of Node and DOM types so the same code runs in the renderer and in tests.
 */
export interface MessageChannelLike {
  send(message: ClientMessage): void;
  /** Returns a function that removes the listener. */
  onMessage(listener: (message: ServerMessage) => void): () => void;
  /** Called once when the channel can carry no more messages; returns an unsubscribe. */
  onClose?(listener: (reason: string) => void): () => void;
}

export interface MessageTransport {
  transport: Transport;
  /** Calls sent and not yet answered. */
  pending(): number;
  /** Rejects every pending call with `reason` and refuses new ones (the channel is gone). */
  close(reason: string): void;
}

/** `details.disconnected` lets the UI tell "the engine went away" from an engine error. */
function disconnected(reason: string): Envelope<unknown> {
  return { ok: false, error: { code: 'internal', message: reason, details: { disconnected: true } } };
}

interface PendingCall {
  resolve(envelope: Envelope<unknown>): void;
  onEvent: ((event: unknown) => void) | undefined;
  dispose(): void;
}

/**
 * The client side of `core/contract/protocol.ts`: numbers each request, routes events and the one
 * response back to their call, turns an AbortSignal into a `cancel` message (the engine then
 * answers with `cancelled`, or a partial result), and settles every pending call when the channel
 * closes — a call must never hang because the engine went away.
 */
export function createMessageTransport(channel: MessageChannelLike): MessageTransport {
  const calls = new Map<number, PendingCall>();
  let nextId = 1;
  let closedReason: string | null = null;

  const offMessage = channel.onMessage((message) => {
    if (message.type === 'response' && message.id === NO_CALL_ID && !message.ok) {
      // The engine could not tell which call a message was (too large, not JSON): no answer will
      // come for the calls waiting, and it may be hanging up. Each gets its error, not silence.
      for (const [id, call] of calls) {
        calls.delete(id);
        call.dispose();
        call.resolve({ ok: false, error: message.error });
      }
      return;
    }
    const call = calls.get(message.id);
    if (!call) return; // a late event for a call already settled (e.g. after cancel)
    if (message.type === 'event') {
      call.onEvent?.(message.event);
      return;
    }
    calls.delete(message.id);
    call.dispose();
    call.resolve(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
  });

  function close(reason: string): void {
    if (closedReason !== null) return;
    closedReason = reason;
    offMessage();
    offClose?.();
    for (const [id, call] of calls) {
      calls.delete(id);
      call.dispose();
      call.resolve(disconnected(reason));
    }
  }

  const offClose = channel.onClose?.((reason) => close(reason));

  const transport: Transport = (method, params, opts) => {
    if (closedReason !== null) {
      return Promise.resolve(disconnected(closedReason));
    }
    if (opts.signal?.aborted) {
      return Promise.resolve({ ok: false, error: { code: 'cancelled', message: 'the call was cancelled' } });
    }
    const id = nextId++;
    return new Promise<Envelope<unknown>>((resolve) => {
      const signal = opts.signal;
      // The engine decides what a cancelled call returns (an error, or a partial answer), so
      // the call stays pending until its response arrives.
      const onAbort = () => {
        if (closedReason === null) channel.send({ type: 'cancel', id });
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      calls.set(id, {
        resolve,
        onEvent: opts.onEvent,
        dispose: () => signal?.removeEventListener('abort', onAbort),
      });
      try {
        channel.send({ type: 'request', id, method, params });
      } catch (err) {
        calls.delete(id);
        signal?.removeEventListener('abort', onAbort);
        const message = err instanceof Error ? err.message : String(err);
        resolve(disconnected(`could not reach the engine: ${message}`));
      }
    });
  };

  return { transport, pending: () => calls.size, close };
}
