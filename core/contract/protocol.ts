import type { ApiErrorBody } from './envelope.ts';

/**
 * Wire messages shared by the streaming carriers (Electron MessagePort, `pustaka serve`
 * WebSocket). A call is a request, zero or more events, then exactly one response.
 */
export type ClientMessage =
  { type: 'request'; id: number; method: string; params: unknown } | { type: 'cancel'; id: number };

export type ServerMessage =
  | { type: 'event'; id: number; event: unknown }
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: ApiErrorBody };
