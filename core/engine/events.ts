/**
 * Engine events: what changed, announced once by the code that changed it. Caches, the golden
 * index and staleness subscribe to these (each feature for its own state) instead of being
 * cleared by hand wherever data changes.
 */
export interface EngineEvents {
  /** Chunks were written or removed (import, re-import, delete, re-embed swap, archive import). */
  'documents-changed': { collectionIds: number[] };
  /** A collection was renamed or its settings changed; its chunks did not. */
  'collections-changed': { collectionIds: number[] };
  /** Golden answers were added, edited, reviewed, flagged stale or deleted. */
  'golden-changed': { reason: string };
  /** The chat or embedding model in use changed. */
  'model-changed': { role: 'chat' | 'embedding' };
}

export type EngineEventName = keyof EngineEvents;
export type EngineListener<K extends EngineEventName> = (payload: EngineEvents[K]) => void | Promise<void>;

export interface EventBus {
  /** Subscribes; returns the unsubscribe function. */
  on<K extends EngineEventName>(name: K, listener: EngineListener<K>): () => void;
  /**
   * Calls every listener in subscription order and waits for them, so that when `emit` resolves
   * every derived state (caches, staleness, indexes) already reflects the change. A failing
   * listener does not stop the others; the first error is rethrown after all ran.
   */
  emit<K extends EngineEventName>(name: K, payload: EngineEvents[K]): Promise<void>;
}

export function createEventBus(): EventBus {
  const listeners = new Map<EngineEventName, EngineListener<never>[]>();
  return {
    on(name, listener) {
      const list = listeners.get(name) ?? [];
      list.push(listener as EngineListener<never>);
      listeners.set(name, list);
      return () => {
        const i = list.indexOf(listener as EngineListener<never>);
        if (i >= 0) list.splice(i, 1);
      };
    },
    async emit(name, payload) {
      let first: unknown;
      let failed = false;
      for (const listener of [...(listeners.get(name) ?? [])]) {
        try {
          await (listener as EngineListener<typeof name>)(payload);
        } catch (err) {
          if (!failed) first = err;
          failed = true;
        }
      }
      if (failed) throw first;
    },
  };
}
