import type { Engine, ServiceKey, ServiceRegistry } from './engine.ts';

export function defineService<T>(
  name: string,
  create: (engine: Engine) => T,
  dispose?: (instance: T) => Promise<void> | void,
): ServiceKey<T> {
  return dispose ? { name, create, dispose } : { name, create };
}

export function createServiceRegistry(engine: () => Engine): ServiceRegistry {
  const instances = new Map<ServiceKey<unknown>, unknown>();
  let disposed = false;
  return {
    get<T>(key: ServiceKey<T>): T {
      if (instances.has(key)) return instances.get(key) as T;
      if (disposed) throw new Error(`service ${key.name} requested after the engine closed`);
      const instance = key.create(engine());
      instances.set(key, instance);
      return instance;
    },
    peek: <T>(key: ServiceKey<T>) => instances.get(key) as T | undefined,
    provide(key, instance) {
      if (instances.has(key)) throw new Error(`service ${key.name} already exists`);
      instances.set(key, instance);
    },
    names: () => [...instances.keys()].map((k) => k.name),
    async disposeAll() {
      disposed = true;
      const errors: unknown[] = [];
      for (const [key, instance] of [...instances].reverse()) {
        try {
          await key.dispose?.(instance);
        } catch (err) {
          errors.push(err);
        }
      }
      return errors;
    },
  };
}
