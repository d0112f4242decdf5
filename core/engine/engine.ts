import type { DataPaths } from '../base/paths.ts';
import type { Caches } from '../base/cache/caches.ts';
import type { DataDirLock } from '../base/data-dir-lock/data-dir-lock.ts';
import type { EmbedderRegistry } from '../models/embed/registry.ts';
import type { Db } from '../stores/pg/pg-store.ts';
import type { ReconcileReport } from '../stores/reconcile.ts';
import type { StoreRepair } from '../stores/store-damage.ts';
import type { VectorStore } from '../stores/vectors/store.ts';
import type { EventBus } from './events.ts';

/**
 * One open data folder: its stores, caches, models and event bus, plus the per-engine services
 * that features declare (core/engine/services.ts). One per data dir per process (the lock enforces
 * it). Features import this type; only core/startup builds one.
 */
export interface Engine {
  readonly paths: DataPaths;
  readonly db: Db;
  readonly vectors: VectorStore;
  readonly caches: Caches;
  /** Embedders in use (built-in and GGUF models), shared by imports and searches. */
  readonly embedders: EmbedderRegistry;
  /** What changed: features announce, derived state (caches, indexes, staleness) subscribes. */
  readonly events: EventBus;
  /** Per-engine state of the features (worker scheduler, chat model slot, queues, app lock…). */
  readonly services: ServiceRegistry;
  readonly lock: DataDirLock;
  readonly startedAt: Date;
  readonly startupMs: number;
  /** Milliseconds from the start of openEngine to the end of each step, in order. */
  readonly startupPhases: Readonly<Record<string, number>>;
  readonly reconcile: ReconcileReport;
  /** A damaged collections.db set aside, and rebuild jobs queued for missing chunks. */
  readonly repair: StoreRepair;
  /** Import jobs found cut short at start-up (resumed by `import.resume`). */
  readonly interruptedJobs: number[];
  close(): Promise<void>;
}

/**
 * A per-engine service: state that lives as long as one engine (a scheduler, a chat model slot,
 * a queue) and belongs to the feature that declares it. The feature declares the key; the engine
 * holds the instance, so nothing per-engine hides in module-level maps.
 */
export interface ServiceKey<T> {
  readonly name: string;
  /** Builds the instance on first use. */
  create(engine: Engine): T;
  /** Stops it when the engine closes (before the stores close), in reverse creation order. */
  dispose?(instance: T): Promise<void> | void;
}

export interface ServiceRegistry {
  /** The engine's instance of `key`, created on first use. */
  get<T>(key: ServiceKey<T>): T;
  /** The instance if it was created, without creating it. */
  peek<T>(key: ServiceKey<T>): T | undefined;
  /** Installs an instance built elsewhere (start-up opens some services asynchronously). */
  provide<T>(key: ServiceKey<T>, instance: T): void;
  /** Names of the services created so far, in creation order. */
  names(): string[];
  /** Disposes every created service in reverse order; errors are collected, never thrown. */
  disposeAll(): Promise<unknown[]>;
}
