import type { ErrorCode } from '../contract/error-codes.ts';

/** The engine's one error type: a code from the contract's closed set, a message, optional details. */
export class PustakaError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PustakaError';
    this.code = code;
    this.details = details;
  }
}

export function isPustakaError(err: unknown): err is PustakaError {
  return err instanceof PustakaError;
}
