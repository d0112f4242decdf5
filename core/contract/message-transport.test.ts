import { describe, expect, it } from 'vitest';
import { ApiCallError, createApiClient } from './client.ts';
import { createMessageTransport, type MessageChannelLike } from './message-transport.ts';
import type { ClientMessage, ServerMessage } from './protocol.ts';

/** A channel whose far end the test plays by hand: it sees what the client sent and answers. */
function scriptedChannel() {
  const sent: ClientMessage[] = [];
  const listeners = new Set<(m: ServerMessage) => void>();
  const closers = new Set<(reason: string) => void>();
  const channel: MessageChannelLike = {
    send: (m) => void sent.push(m),
    onMessage: (l) => (listeners.add(l), () => listeners.delete(l)),
    onClose: (l) => (closers.add(l), () => closers.delete(l)),
  };
  return {
    channel,
    sent,
    reply: (m: ServerMessage) => listeners.forEach((l) => l(m)),
    closeFromServer: (reason: string) => closers.forEach((l) => l(reason)),
    listenerCount: () => listeners.size,
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('message transport', () => {
  it('numbers requests, routes events and responses to their own call', async () => {
    const far = scriptedChannel();
    const client = createApiClient(createMessageTransport(far.channel).transport);
    const events: unknown[] = [];
    const ask = client.call('ask', { question: 'kitas?' }, { onEvent: (e) => events.push(e) });
    const status = client.call('status', {});
    expect(far.sent).toEqual([
      { type: 'request', id: 1, method: 'ask', params: { question: 'kitas?' } },
      { type: 'request', id: 2, method: 'status', params: {} },
    ]);
    far.reply({ type: 'event', id: 1, event: { type: 'token', text: 'Hal' } });
    far.reply({ type: 'response', id: 2, ok: true, result: { app: 'x' } });
    far.reply({ type: 'event', id: 1, event: { type: 'token', text: 'lo' } });
    far.reply({ type: 'response', id: 1, ok: true, result: { answer: 'Hallo' } });
    await expect(status).resolves.toEqual({ app: 'x' });
    await expect(ask).resolves.toEqual({ answer: 'Hallo' });
    expect(events).toEqual([
      { type: 'token', text: 'Hal' },
      { type: 'token', text: 'lo' },
    ]);
  });

  it('turns an error response into ApiCallError with its code', async () => {
    const far = scriptedChannel();
    const client = createApiClient(createMessageTransport(far.channel).transport);
    const call = client.call('collections.get', { collection: 'nope' });
    far.reply({
      type: 'response',
      id: 1,
      ok: false,
      error: { code: 'not_found', message: 'no collection "nope"' },
    });
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).code).toBe('not_found');
    expect((err as ApiCallError).message).toBe('no collection "nope"');
  });

  it('sends cancel on abort and still delivers the engine’s (partial) answer', async () => {
    const far = scriptedChannel();
    const mt = createMessageTransport(far.channel);
    const controller = new AbortController();
    const call = mt.transport('ask', { question: 'q' }, { signal: controller.signal });
    controller.abort();
    expect(far.sent.at(-1)).toEqual({ type: 'cancel', id: 1 });
    expect(mt.pending()).toBe(1);
    far.reply({ type: 'response', id: 1, ok: true, result: { status: 'partial' } });
    await expect(call).resolves.toEqual({ ok: true, result: { status: 'partial' } });
    expect(mt.pending()).toBe(0);
  });

  it('does not send a call whose signal is already aborted', async () => {
    const far = scriptedChannel();
    const mt = createMessageTransport(far.channel);
    const envelope = await mt.transport('status', {}, { signal: AbortSignal.abort() });
    expect(envelope).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(far.sent).toEqual([]);
  });

  it('rejects every pending call when the channel closes, and refuses new ones', async () => {
    const far = scriptedChannel();
    const mt = createMessageTransport(far.channel);
    const client = createApiClient(mt.transport);
    const a = client.call('status', {}).catch((e: unknown) => e);
    const b = client.call('collections.list', {}).catch((e: unknown) => e);
    far.closeFromServer('the engine stopped');
    for (const err of [await a, await b]) {
      expect(err).toBeInstanceOf(ApiCallError);
      expect((err as ApiCallError).message).toBe('the engine stopped');
      expect((err as ApiCallError).details).toEqual({ disconnected: true });
    }
    expect(mt.pending()).toBe(0);
    expect(far.listenerCount()).toBe(0);
    const later = await mt.transport('status', {}, {});
    expect(later).toMatchObject({ ok: false, error: { message: 'the engine stopped' } });
    expect(far.sent).toHaveLength(2);
  });

  it('ignores events for unknown or settled calls and abort after the response', async () => {
    const far = scriptedChannel();
    const mt = createMessageTransport(far.channel);
    const controller = new AbortController();
    const seen: unknown[] = [];
    const call = mt.transport('status', {}, { signal: controller.signal, onEvent: (e) => seen.push(e) });
    far.reply({ type: 'event', id: 99, event: 'stray' });
    far.reply({ type: 'response', id: 1, ok: true, result: 1 });
    far.reply({ type: 'event', id: 1, event: 'late' });
    await call;
    controller.abort();
    await tick();
    expect(seen).toEqual([]);
    expect(far.sent.filter((m) => m.type === 'cancel')).toEqual([]);
  });

  it('settles a call whose send throws (channel already broken)', async () => {
    const mt = createMessageTransport({
      send: () => {
        throw new Error('socket is closed');
      },
      onMessage: () => () => {},
    });
    const envelope = await mt.transport('status', {}, {});
    expect(envelope).toMatchObject({
      ok: false,
      error: { message: 'could not reach the engine: socket is closed' },
    });
    expect(mt.pending()).toBe(0);
  });
});
