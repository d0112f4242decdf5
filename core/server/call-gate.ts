import { isSharedRead } from '../api/dispatcher.ts';
import { busyError, type CallGate } from '../api/serve-channel.ts';

/**
 * Calls running at once over all connections of one server. The engine runs its queries one at a
 * time, so beyond this a call would only wait behind the others, longer than a client waits: it
 * is told `busy` at once instead, and retries.
 */
export const DEFAULT_MAX_CALLS = 128;
/** A connection running this many calls is kept out of the upper half of the bound. */
const LIGHT_CONNECTION_CALLS = 2;

/**
 * Bounds the work the server takes on. Fair to connections: once half the bound is taken, only
 * connections running fewer than two calls are admitted, so a client that floods the server cannot
 * lock out one that asks for little.
 */
export function createCallGate(max = DEFAULT_MAX_CALLS): CallGate & { running(): number } {
  let running = 0;
  return {
    running: () => running,
    enter(method, held) {
      // However many ask at once, identical shared reads are one run: they add no load.
      if (isSharedRead(method)) return () => {};
      if (running >= max) {
        return busyError(`the server is busy (${max} calls running); retry in a moment`);
      }
      if (running >= Math.ceil(max / 2) && held >= LIGHT_CONNECTION_CALLS) {
        return busyError(
          `the server is busy and this connection already runs ${held} calls; retry when one has finished`,
        );
      }
      running++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running--;
      };
    },
  };
}
