import type { z } from 'zod';
import { checkAppLock, lockedFor, type ConnectionLock } from '../operations/app-lock/gate.ts';
import { appLockService } from '../operations/app-lock/app-lock.ts';
import type { Engine } from '../engine/engine.ts';
import { diskFullError } from '../base/disk-full.ts';
import { isPustakaError } from '../base/errors.ts';
import type { MethodContract } from '../contract/contract.ts';
import { contracts, type MethodName } from '../contract/methods/index.ts';
import type { ApiErrorBody, Envelope } from '../contract/envelope.ts';
import type { Handler, Handlers } from './handler.ts';
import { handlers as defaultHandlers } from './handlers/index.ts';

export interface CallOptions {
  signal?: AbortSignal;
  onEvent?: (event: unknown) => void;
  /**
   * The connection the call came over (serveChannel gives each its own): it may be unlocked for
   * itself while the app stays locked. Absent in-process, where the engine is the caller's own.
   */
  connection?: ConnectionLock;
}

/** The one entry point every carrier (CLI, Electron port, WebSocket) goes through. */
export interface Dispatcher {
  call(method: string, params: unknown, opts?: CallOptions): Promise<Envelope<unknown>>;
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * The path of the first string in `value` holding a NUL character, or null. Postgres text cannot
 * hold one, so such a call would fail deep inside a query as an internal error; it is a bad
 * parameter, and is refused as one before anything runs.
 */
function nulPath(value: unknown, at: string[] = []): string[] | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const found = nulPath(v, [...at, k]);
    if (found) return found;
  }
  return null;
}

export function errorBody(err: unknown): ApiErrorBody {
  if (isPustakaError(err)) {
    return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  }
  if ((err as Error)?.name === 'AbortError') return { code: 'cancelled', message: 'the call was cancelled' };
  const full = diskFullError(err);
  if (full) return errorBody(full);
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `internal error: ${message}` };
}

/**
 * Reads that clients poll, with no events and no effects: identical calls in flight at once share
 * one run, so a burst of N (1,000 sockets each asking `status`) costs one run, not N in a row.
 */
const SHARED_READS: ReadonlySet<string> = new Set(['status']);

export function isSharedRead(method: string): boolean {
  return SHARED_READS.has(method);
}

interface Flight {
  generation: number;
  envelope: Promise<Envelope<unknown>>;
}

/** The shared run's answer, or `cancelled` as soon as this caller's own signal aborts. */
function answerOrCancel(
  envelope: Promise<Envelope<unknown>>,
  signal: AbortSignal,
): Promise<Envelope<unknown>> {
  if (signal.aborted) return Promise.resolve({ ok: false, error: errorBody(signal.reason) });
  return new Promise((resolve) => {
    const onAbort = () => resolve({ ok: false, error: errorBody(signal.reason) });
    signal.addEventListener('abort', onAbort, { once: true });
    void envelope.then((answer) => {
      signal.removeEventListener('abort', onAbort);
      resolve(answer);
    });
  });
}

export function createDispatcher(engine: Engine, handlers: Handlers = defaultHandlers): Dispatcher {
  const flights = new Map<string, Flight>();
  // Bumped as each other call ends: a shared read asked after a write was answered never joins a
  // run that began before that write, so a client always reads its own writes.
  let generation = 0;

  async function invoke(
    name: MethodName,
    params: unknown,
    signal: AbortSignal,
    caller: { locked: boolean; connection?: ConnectionLock; onEvent?: (event: unknown) => void },
  ): Promise<Envelope<unknown>> {
    const contract = contracts[name] as MethodContract;
    try {
      signal.throwIfAborted();
      const handler = handlers[name] as unknown as Handler<MethodContract>;
      const { locked, connection, onEvent } = caller;
      const result = await handler(params, {
        engine,
        signal,
        emit: (e) => onEvent?.(e),
        locked,
        ...(connection ? { connection } : {}),
      });
      // A result that breaks its contract is our bug: report it rather than ship bad data.
      const checked = contract.result.safeParse(result);
      if (!checked.success) {
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `${name} returned a malformed result: ${formatIssues(checked.error.issues)}`,
          },
        };
      }
      return { ok: true, result: checked.data };
    } catch (err) {
      return { ok: false, error: errorBody(err) };
    }
  }

  function shared(
    name: MethodName,
    params: unknown,
    signal: AbortSignal,
    locked: boolean,
  ): Promise<Envelope<unknown>> {
    // The lock state is part of the key: a caller after a lock never gets what an unlocked run saw.
    const key = `${name}\0${locked}\0${JSON.stringify(params)}`;
    let flight = flights.get(key);
    if (flight?.generation !== generation) {
      // Its own signal: one caller cancelling must not cancel the others' answer. It starts on
      // the next turn of the event loop: the engine's work blocks the loop while it runs, so only
      // the requests already read by then can join it, and this lets a whole burst be read first.
      const start = new Promise((resolve) => setImmediate(resolve));
      const envelope = start.then(() => invoke(name, params, new AbortController().signal, { locked }));
      const run: Flight = { generation, envelope };
      flights.set(key, run);
      void run.envelope.then(() => {
        if (flights.get(key) === run) flights.delete(key);
      });
      flight = run;
    }
    return answerOrCancel(flight.envelope, signal);
  }

  return {
    async call(method, rawParams, opts = {}) {
      if (!Object.hasOwn(contracts, method)) {
        return { ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } };
      }
      const name = method as MethodName;
      // Before params are even parsed: a locked engine runs nothing but its allow-list.
      const lock = engine.services.get(appLockService);
      const refused = checkAppLock(lock, name, opts.connection);
      if (refused) return { ok: false, error: errorBody(refused) };
      const contract = contracts[name] as MethodContract;
      const parsed = contract.params.safeParse(rawParams ?? {});
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: 'invalid_params',
            message: `invalid parameters for ${method}: ${formatIssues(parsed.error.issues)}`,
            details: {
              issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
            },
          },
        };
      }
      const nul = nulPath(parsed.data);
      if (nul) {
        const where = nul.length ? nul.join('.') : 'params';
        return {
          ok: false,
          error: {
            code: 'invalid_params',
            message: `invalid parameters for ${method}: ${where}: text may not contain a NUL character (U+0000)`,
            details: { issues: [{ path: nul, message: 'contains a NUL character' }] },
          },
        };
      }
      const signal = opts.signal ?? new AbortController().signal;
      const locked = lockedFor(lock, opts.connection);
      if (SHARED_READS.has(name)) return shared(name, parsed.data, signal, locked);
      try {
        return await invoke(name, parsed.data, signal, { locked, ...opts });
      } finally {
        generation++;
      }
    },
  };
}
