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

/** The store object carries its own context under a private symbol (no module-level registry). */
const CONTEXT = Symbol('vector-store-context');
type WithContext = VectorStore & { [CONTEXT]?: StoreContext };

export function registerContext(store: VectorStore, ctx: StoreContext): void {
  Object.defineProperty(store, CONTEXT, { value: ctx, enumerable: false });
}

/** The shared state of a store opened by openVectorStore (for modules in core/stores/vectors only). */
export function contextOf(store: VectorStore): StoreContext {
  const ctx = (store as WithContext)[CONTEXT];
  if (!ctx) throw new Error('not a store opened by openVectorStore');
  return ctx;
}

export function assertId(name: string, v: number): void {
  if (!Number.isSafeInteger(v)) throw new TypeError(`${name} must be an integer, got ${String(v)}`);
}

export function assertIntOrNull(name: string, v: number | null): void {
  if (v !== null && !Number.isSafeInteger(v))
    throw new TypeError(`${name} must be an integer or null, got ${String(v)}`);
}
