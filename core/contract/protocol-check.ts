import type { ClientMessage, ServerMessage } from './protocol.ts';

/**
 * Shape checks for the wire messages of `protocol.ts`, for carriers that receive them from
 * another process or a page. Pure TypeScript with no imports, so the sandboxed preload can use it.
 */

/** The id a protocol error carries when the message had no usable id of its own. */
export const NO_CALL_ID = -1;

const MAX_METHOD_LENGTH = 100;

function isCallId(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message the protocol allows, or the reason it is not one. */
export function parseClientMessage(raw: unknown): { message: ClientMessage } | { error: string; id: number } {
  if (!isRecord(raw)) return { error: 'a message must be a JSON object', id: NO_CALL_ID };
  const id = isCallId(raw.id) ? raw.id : NO_CALL_ID;
  if (id === NO_CALL_ID) return { error: '"id" must be a whole number ≥ 0', id };
  if (raw.type === 'cancel') return { message: { type: 'cancel', id } };
  if (raw.type !== 'request') return { error: '"type" must be "request" or "cancel"', id };
  if (typeof raw.method !== 'string' || !raw.method || raw.method.length > MAX_METHOD_LENGTH) {
    return { error: '"method" must be a method name', id };
  }
  return { message: { type: 'request', id, method: raw.method, params: raw.params ?? {} } };
}

/** True for an event or a response as the engine sends them (ids may be NO_CALL_ID). */
export function isServerMessage(raw: unknown): raw is ServerMessage {
  if (!isRecord(raw) || !Number.isSafeInteger(raw.id)) return false;
  if (raw.type === 'event') return 'event' in raw;
  if (raw.type !== 'response') return false;
  if (raw.ok === true) return 'result' in raw;
  return (
    raw.ok === false &&
    isRecord(raw.error) &&
    typeof raw.error.code === 'string' &&
    typeof raw.error.message === 'string'
  );
}
