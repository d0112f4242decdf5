import { describe, expect, it } from 'vitest';
import { createEventBus } from './events.ts';

describe('engine event bus', () => {
  it('calls listeners in order and resolves only after async ones finished', async () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.on('documents-changed', async ({ collectionIds }) => {
      await new Promise((r) => setImmediate(r));
      seen.push(`a${collectionIds.join()}`);
    });
    bus.on('documents-changed', ({ collectionIds }) => void seen.push(`b${collectionIds.join()}`));
    bus.on('golden-changed', () => void seen.push('never'));
    await bus.emit('documents-changed', { collectionIds: [7] });
    expect(seen).toEqual(['a7', 'b7']);
  });

  it('runs every listener when one fails, then rethrows the first error', async () => {
    const bus = createEventBus();
    const ran: number[] = [];
    bus.on('model-changed', () => {
      ran.push(1);
      throw new Error('first');
    });
    bus.on('model-changed', () => {
      ran.push(2);
      throw new Error('second');
    });
    bus.on('model-changed', () => void ran.push(3));
    await expect(bus.emit('model-changed', { role: 'chat' })).rejects.toThrow('first');
    expect(ran).toEqual([1, 2, 3]);
  });

  it('stops calling a listener once unsubscribed', async () => {
    const bus = createEventBus();
    let calls = 0;
    const off = bus.on('golden-changed', () => void calls++);
    await bus.emit('golden-changed', { reason: 'test' });
    off();
    await bus.emit('golden-changed', { reason: 'test' });
    expect(calls).toBe(1);
  });
});
