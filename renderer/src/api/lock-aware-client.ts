import { ApiCallError, type ApiClient } from '../../../core/contract/client.ts';

/** True for "the engine is locked", not for a refused passphrase (same code, another reason). */
export function isLockedError(err: unknown): boolean {
  return err instanceof ApiCallError && err.code === 'locked' && err.details?.reason === 'locked';
}

/** A client that reports the engine locking itself (idle time-out, another window) on any call. */
export function lockAwareClient(client: ApiClient, onLocked: () => void): ApiClient {
  return {
    call: (async (method, params, opts) => {
      try {
        return await client.call(method, params, opts);
      } catch (err) {
        if (isLockedError(err)) onLocked();
        throw err;
      }
    }) as ApiClient['call'],
  };
}
