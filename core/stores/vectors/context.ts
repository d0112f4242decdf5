/**
 * What the vector store's modules share: the open connection, a prepared-statement cache and the
 * change stamp. Reachable from a store only through `contextOf`, for the modules in this folder
 * (re-embedding, the golden index); code outside core/stores/vectors uses the store's methods.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { VectorStore } from './types.ts';

export interface StoreContext {
  readonly path: string;
  readonly db: BetterSqlite3.Database;
  /** The statement for `sql`, prepared once per connection. */
  stmt(sql: string): BetterSqlite3.Statement;
  /** Changes whenever anything is written, through this connection or another one. */
  changeStamp(): string;
  /** Forgets the cached statements (on close). */
  clear(): void;
}

export function createContext(db: BetterSqlite3.Database, path: string): StoreContext {
  const statements = new Map<string, BetterSqlite3.Statement>();
  function stmt(sql: string): BetterSqlite3.Statement {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  }
  function changeStamp(): string {
    const changes = stmt('SELECT total_changes()').pluck().get() as number;
    const version = stmt('PRAGMA data_version').pluck().get() as number;
    return `${changes}:${version}`;
  }
  return { path, db, stmt, changeStamp, clear: () => statements.clear() };
}

/** What a façade registers: its current connection's context and how it reports a failure. */
export interface StoreRegistration {
  /** The context of the connection open now (the file may be replaced while the store lives). */
  current(): StoreContext;
  /** The error to throw for `err`: a damaged file is reported (and explained) here. */
  failed(err: unknown): unknown;
}

/** The store object carries its registration under a private symbol (no module-level registry). */
const REGISTRATION = Symbol('vector-store-registration');
type WithRegistration = VectorStore & { [REGISTRATION]?: StoreRegistration };

export function registerStore(store: VectorStore, registration: StoreRegistration): void {
  Object.defineProperty(store, REGISTRATION, { value: registration, enumerable: false });
}

function registrationOf(store: VectorStore): StoreRegistration {
  const r = (store as WithRegistration)[REGISTRATION];
  if (!r) throw new Error('not a store opened by openVectorStore');
  return r;
}

/** The shared state of a store opened by openVectorStore (for modules in core/stores/vectors only). */
export function contextOf(store: VectorStore): StoreContext {
  return registrationOf(store).current();
}

/**
 * Runs `fn` on the store's connection; an error from a damaged file is reported like one from the
 * store's own methods (modules here that work on the connection directly go through this).
 */
export function withContext<T>(store: VectorStore, fn: (ctx: StoreContext) => T): T {
  const r = registrationOf(store);
  try {
    return fn(r.current());
  } catch (err) {
    throw r.failed(err);
  }
}

export function assertId(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new TypeError(`${name} must be an integer, got ${String(v)}`);
}

export function assertIntOrNull(name: string, v: number | null): void {
  if (v !== null && !Number.isSafeInteger(v))
    throw new TypeError(`${name} must be an integer or null, got ${String(v)}`);
}
