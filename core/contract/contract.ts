import type { z } from 'zod';

/**
 * One object per API method gives the TypeScript types, runtime validation of params and
 * results, and the carriers' allow-list. Contracts import only zod, so the renderer can use them.
 */
export interface MethodContract<
  P extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
  E extends z.ZodType = z.ZodType,
> {
  readonly method: string;
  readonly summary: string;
  readonly params: P;
  readonly result: R;
  /** Streamed events (progress, tokens) a call may emit before its result. */
  readonly event: E;
}

export function defineMethod<P extends z.ZodType, R extends z.ZodType, E extends z.ZodType>(
  contract: MethodContract<P, R, E>,
): MethodContract<P, R, E> {
  return contract;
}

export type ParamsOf<C> = C extends MethodContract<infer P, z.ZodType, z.ZodType> ? z.input<P> : never;
export type ResultOf<C> = C extends MethodContract<z.ZodType, infer R, z.ZodType> ? z.output<R> : never;
export type EventOf<C> = C extends MethodContract<z.ZodType, z.ZodType, infer E> ? z.output<E> : never;
