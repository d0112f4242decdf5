import { ERROR_CODES, type ErrorCode } from './error-codes.ts';

/** Results travel as data, never as thrown errors: carriers (IPC, WebSocket) keep them whole. */
export type Envelope<R> = { ok: true; result: R } | { ok: false; error: ApiErrorBody };

export interface ApiErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
