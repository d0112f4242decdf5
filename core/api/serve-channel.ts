import { errorBody, type Dispatcher } from './dispatcher.ts';
import type { ConnectionLock } from '../operations/app-lock/gate.ts';
import type { ApiErrorBody } from '../contract/envelope.ts';
import type { ServerMessage } from '../contract/protocol.ts';
import { NO_CALL_ID, parseClientMessage } from '../contract/protocol-check.ts';

export { NO_CALL_ID, parseClientMessage };

/**
 * The engine's end of a duplex channel (a WebSocket, an Electron MessagePort). Incoming messages
 * are `unknown`: they come from another process or a browser and are checked here.
 */
export interface ServerChannel {
  send(message: ServerMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onClose(listener: () => void): void;
}

/** Shared by every channel of one carrier: bounds the calls running over all of them. */
export interface CallGate {
  /**
   * Admits a call, returning what releases its place when it ends, or refuses it with the error
   * to answer. `held`: the calls this channel is running now.
   */
  enter(method: string, held: number): (() => void) | ApiErrorBody;
}

export interface ServeChannelOptions {
  /** Calls one channel may have running at once; more are refused (`busy`), not queued. */
  maxInFlight?: number;
  gate?: CallGate;
}

/** How long a refused client should wait before asking again. */
export const BUSY_RETRY_AFTER_MS = 1000;

export function busyError(message: string): ApiErrorBody {
  return { code: 'busy', message, details: { retryAfterMs: BUSY_RETRY_AFTER_MS } };
}

export interface ServedChannel {
  /** Calls running now. */
  inFlight(): number;
  /** Aborts every running call and sends nothing more (the carrier is shutting down). */
  close(): void;
  /**
   * Resolves once every call this channel started has ended: after `close`, once the cancelled
   * calls have unwound, so the engine they run in may close.
   */
  settled(): Promise<void>;
}

function protocolError(
  id: number,
  message: string,
  code: ApiErrorBody['code'] = 'invalid_params',
): ServerMessage {
  return { type: 'response', id, ok: false, error: { code, message } };
}

/**
 * Serves one channel: each request goes through the dispatcher (which validates it against its
 * contract), its events are streamed, and exactly one response ends it. `cancel` aborts that
 * call's signal; a closed channel aborts them all, so no work runs for a client that is gone.
 */
export function serveChannel(
  channel: ServerChannel,
  dispatcher: Dispatcher,
  opts: ServeChannelOptions = {},
): ServedChannel {
  const maxInFlight = opts.maxInFlight ?? 64;
  const calls = new Map<number, AbortController>();
  // This channel's own unlock (appLock.unlock with scope 'connection'), gone with the channel.
  const connection: ConnectionLock = { unlocked: false };
  // Unlike `calls`, kept after close: what `settled` waits for.
  const running = new Set<Promise<void>>();
  let closed = false;

  const send = (message: ServerMessage) => {
    if (closed) return;
    try {
      channel.send(message);
    } catch {
      // The carrier went away between our check and the send; its close event follows.
    }
  };

  async function run(id: number, method: string, params: unknown): Promise<void> {
    const controller = new AbortController();
    calls.set(id, controller);
    try {
      const envelope = await dispatcher.call(method, params, {
        signal: controller.signal,
        connection,
        onEvent: (event) => {
          if (calls.get(id) === controller) send({ type: 'event', id, event });
        },
      });
      send(
        envelope.ok
          ? { type: 'response', id, ok: true, result: envelope.result }
          : { type: 'response', id, ok: false, error: envelope.error },
      );
    } catch (err) {
      // The dispatcher answers with envelopes; this is only a last guard so a call never hangs.
      send({ type: 'response', id, ok: false, error: errorBody(err) });
    } finally {
      if (calls.get(id) === controller) calls.delete(id);
    }
  }

  channel.onMessage((raw) => {
    if (closed) return;
    const parsed = parseClientMessage(raw);
    if ('error' in parsed) {
      send(protocolError(parsed.id, `malformed message: ${parsed.error}`));
      return;
    }
    const message = parsed.message;
    if (message.type === 'cancel') {
      // A cancel for a call already answered is normal (it crossed the response): ignore it.
      calls.get(message.id)?.abort();
      return;
    }
    if (calls.has(message.id)) {
      send(protocolError(message.id, `call ${message.id} is already running`, 'conflict'));
      return;
    }
    if (calls.size >= maxInFlight) {
      const busy = busyError(
        `too many calls at once on this connection (at most ${maxInFlight}); retry when one has finished`,
      );
      send({ type: 'response', id: message.id, ok: false, error: busy });
      return;
    }
    const admitted = opts.gate?.enter(message.method, calls.size) ?? (() => {});
    if (typeof admitted !== 'function') {
      send({ type: 'response', id: message.id, ok: false, error: admitted });
      return;
    }
    // The place is held until the work ends, not just until the channel closes: work that is still
    // running still loads the engine.
    const work = run(message.id, message.method, message.params).finally(admitted);
    running.add(work);
    void work.finally(() => running.delete(work));
  });

  function close(): void {
    if (closed) return;
    closed = true;
    for (const controller of calls.values()) controller.abort();
    calls.clear();
  }
  channel.onClose(close);

  return {
    inFlight: () => calls.size,
    close,
    settled: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
