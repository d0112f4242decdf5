import type { z } from 'zod';
import { checkAppLock } from '../operations/app-lock/gate.ts';
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

export function createDispatcher(engine: Engine, handlers: Handlers = defaultHandlers): Dispatcher {
  return {
    async call(method, rawParams, opts = {}) {
      if (!Object.hasOwn(contracts, method)) {
        return { ok: false, error: { code: 'unknown_method', message: `unknown method "${method}"` } };
      }
      const name = method as MethodName;
      // Before params are even parsed: a locked engine runs nothing but its allow-list.
      const refused = checkAppLock(engine.services.get(appLockService), name);
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
      const signal = opts.signal ?? new AbortController().signal;
      try {
        signal.throwIfAborted();
        const handler = handlers[name] as unknown as Handler<MethodContract>;
        const result = await handler(parsed.data, { engine, signal, emit: (e) => opts.onEvent?.(e) });
        // A result that breaks its contract is our bug: report it rather than ship bad data.
        const checked = contract.result.safeParse(result);
        if (!checked.success) {
          return {
            ok: false,
            error: {
              code: 'internal',
              message: `${method} returned a malformed result: ${formatIssues(checked.error.issues)}`,
            },
          };
        }
        return { ok: true, result: checked.data };
      } catch (err) {
        return { ok: false, error: errorBody(err) };
      }
    },
  };
}
