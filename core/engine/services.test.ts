import { describe, expect, it } from 'vitest';
import type { Engine } from './engine.ts';
import { createServiceRegistry, defineService } from './services.ts';

const engine = {} as Engine;

describe('per-engine services', () => {
  it('creates a service once, on first use, for its engine', () => {
    let created = 0;
    const counter = defineService('counter', (e) => ({ e, n: ++created }));
    const services = createServiceRegistry(() => engine);
    expect(services.peek(counter)).toBeUndefined();
    const first = services.get(counter);
    expect(services.get(counter)).toBe(first);
    expect(first.e).toBe(engine);
    expect(created).toBe(1);
    // Another engine gets its own instance.
    expect(createServiceRegistry(() => engine).get(counter).n).toBe(2);
  });

  it('disposes in reverse creation order, so a service outlives those created after it', async () => {
    const order: string[] = [];
    const model = defineService(
      'model',
      () => 'model',
      () => void order.push('model'),
    );
    const queue = defineService(
      'queue',
      (e) => {
        services.get(model); // depends on the model: created first, disposed last
        return e;
      },
      () => void order.push('queue'),
    );
    const services = createServiceRegistry(() => engine);
    services.get(queue);
    expect(services.names()).toEqual(['model', 'queue']);
    expect(await services.disposeAll()).toEqual([]);
    expect(order).toEqual(['queue', 'model']);
    // Disposers may still reach existing services; nothing new starts on a closed engine.
    expect(services.get(model)).toBe('model');
    expect(() => services.get(defineService('late', () => 0))).toThrow(/after the engine closed/);
  });

  it('collects dispose errors without stopping the others, and refuses a second provider', async () => {
    const disposed: string[] = [];
    const bad = defineService(
      'bad',
      () => 1,
      () => {
        throw new Error('boom');
      },
    );
    const good = defineService(
      'good',
      () => 2,
      () => void disposed.push('good'),
    );
    const services = createServiceRegistry(() => engine);
    services.get(good);
    services.provide(bad, 3);
    expect(() => services.provide(bad, 4)).toThrow(/already exists/);
    expect(services.get(bad)).toBe(3);
    const errors = await services.disposeAll();
    expect(errors.map((e) => (e as Error).message)).toEqual(['boom']);
    expect(disposed).toEqual(['good']);
  });
});
