import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../core/api/dispatcher.ts';
import type { Handlers } from '../core/api/handler.ts';
import { handlers } from '../core/api/handlers/index.ts';
import type { ServerMessage } from '../core/contract/protocol.ts';
import { NO_CALL_ID, parseClientMessage, serveChannel } from '../core/api/serve-channel.ts';
import type { Engine } from '../core/engine/engine.ts';
import { createServiceRegistry } from '../core/engine/services.ts';
import { appLockService, type AppLock } from '../core/operations/app-lock/app-lock.ts';

/**
 * serveChannel over an in-memory channel. The handlers here never touch the engine: they stand
 * for a long streaming call so cancel and close can be observed on their AbortSignal.
 */
function harness(opts: { maxInFlight?: number } = {}) {
  const sent: ServerMessage[] = [];
  let deliver: (m: unknown) => void = () => {};
  let closeChannel: () => void = () => {};
  const signals: AbortSignal[] = [];
  const testHandlers: Handlers = {
    ...handlers,
    // Emits one event, then runs until its signal is aborted.
    'import.watch': (_p, { signal, emit }) => {
      signals.push(signal);
      emit({ type: 'watching', paths: ['/x'] });
      return new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
      );
    },
  };
  // No handler here reads the engine; the dispatcher only consults its (disabled) app lock.
  const engine = { services: createServiceRegistry(() => engine) } as unknown as Engine;
  engine.services.provide(appLockService, { enabled: false, locked: false } as unknown as AppLock);
  const dispatcher = createDispatcher(engine, testHandlers);
  const served = serveChannel(
    {
      send: (m) => sent.push(m),
      onMessage: (l) => (deliver = l),
      onClose: (l) => (closeChannel = l),
    },
    dispatcher,
    opts,
  );
  const watch = (id: number) =>
    deliver({
      type: 'request',
      id,
      method: 'import.watch',
      params: { collection: 'c', paths: ['/x'] },
    });
  const until = async (pred: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`gave up waiting; sent: ${JSON.stringify(sent)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  return {
    sent,
    deliver: (m: unknown) => deliver(m),
    close: () => closeChannel(),
    served,
    signals,
    watch,
    until,
  };
}

describe('serveChannel', () => {
  it('streams events, then one response; cancel aborts the call, which answers "cancelled"', async () => {
    const h = harness();
    h.watch(7);
    await h.until(() => h.signals.length === 1);
    expect(h.sent).toEqual([{ type: 'event', id: 7, event: { type: 'watching', paths: ['/x'] } }]);
    expect(h.served.inFlight()).toBe(1);

    h.deliver({ type: 'cancel', id: 7 });
    await h.until(() => h.sent.length === 2);
    expect(h.signals[0]!.aborted).toBe(true);
    expect(h.sent[1]).toMatchObject({ type: 'response', id: 7, ok: false, error: { code: 'cancelled' } });
    expect(h.served.inFlight()).toBe(0);

    // A cancel that crosses the response is ignored.
    h.deliver({ type: 'cancel', id: 7 });
    h.deliver({ type: 'cancel', id: 99 });
    await new Promise((r) => setTimeout(r, 20));
    expect(h.sent).toHaveLength(2);
  });

  it('a closed channel aborts every running call and sends nothing more', async () => {
    const h = harness();
    h.watch(1);
    h.watch(2);
    await h.until(() => h.signals.length === 2);
    const before = h.sent.length;
    h.close();
    expect(h.signals.every((s) => s.aborted)).toBe(true);
    expect(h.served.inFlight()).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    h.watch(3);
    await new Promise((r) => setTimeout(r, 20));
    expect(h.sent).toHaveLength(before);
    expect(h.signals).toHaveLength(2);
  });

  it('answers a running id twice with "conflict" and refuses calls beyond the limit as "busy"', async () => {
    const h = harness({ maxInFlight: 2 });
    h.watch(1);
    h.watch(1);
    h.watch(2);
    h.watch(3);
    await h.until(() => h.signals.length === 2);
    const responses = h.sent.filter((m) => m.type === 'response');
    expect(responses).toEqual([
      expect.objectContaining({ id: 1, ok: false, error: expect.objectContaining({ code: 'conflict' }) }),
      expect.objectContaining({
        id: 3,
        ok: false,
        error: {
          code: 'busy',
          message: expect.stringContaining('at most 2'),
          details: { retryAfterMs: expect.any(Number) },
        },
      }),
    ]);
    h.close();
  });

  it('answers malformed messages with a protocol error and keeps serving', async () => {
    const h = harness();
    h.deliver('hello');
    h.deliver([1, 2]);
    h.deliver({ type: 'request', id: 'x', method: 'status' });
    h.deliver({ type: 'bogus', id: 4 });
    h.deliver({ type: 'request', id: 5 });
    h.deliver({ type: 'request', id: 6, method: 'no.such' });
    h.deliver({ type: 'request', id: 8, method: 'collections.create', params: { name: 42 } });
    await h.until(() => h.sent.length === 7);
    const byId = (id: number) => h.sent.filter((m) => m.id === id);
    expect(byId(NO_CALL_ID)).toHaveLength(3);
    for (const m of h.sent) expect(m).toMatchObject({ type: 'response', ok: false });
    expect(byId(4)[0]).toMatchObject({
      error: { code: 'invalid_params', message: expect.stringContaining('type') },
    });
    expect(byId(5)[0]).toMatchObject({
      error: { code: 'invalid_params', message: expect.stringContaining('method') },
    });
    expect(byId(6)[0]).toMatchObject({ error: { code: 'unknown_method' } });
    expect(byId(8)[0]).toMatchObject({
      error: { code: 'invalid_params', message: expect.stringContaining('name') },
    });
  });

  it('parseClientMessage accepts only the protocol shapes', () => {
    expect(parseClientMessage({ type: 'request', id: 0, method: 'status' })).toEqual({
      message: { type: 'request', id: 0, method: 'status', params: {} },
    });
    expect(parseClientMessage({ type: 'cancel', id: 3, extra: true })).toEqual({
      message: { type: 'cancel', id: 3 },
    });
    expect(parseClientMessage({ type: 'cancel', id: -2 })).toMatchObject({ id: NO_CALL_ID });
    expect(parseClientMessage({ type: 'cancel', id: 1.5 })).toMatchObject({ id: NO_CALL_ID });
    expect(parseClientMessage({ type: 'request', id: 1, method: 'x'.repeat(101) })).toMatchObject({ id: 1 });
    expect(parseClientMessage(null)).toMatchObject({ error: expect.any(String) });
  });
});
