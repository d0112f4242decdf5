import type { z } from 'zod';
import type { Engine } from '../engine/engine.ts';
import type { EventOf, MethodContract, ResultOf } from '../contract/contract.ts';
import type { Contracts, MethodName } from '../contract/methods/index.ts';
import type { ConnectionLock } from '../operations/app-lock/gate.ts';

export interface CallContext<E> {
  engine: Engine;
  /** Aborted when the caller cancels (Ctrl-C, stop button, closed socket). */
  signal: AbortSignal;
  emit(event: E): void;
  /**
   * Whether the app is locked for this caller (its connection may be unlocked for itself);
   * absent: as the app is.
   */
  locked?: boolean;
  /** The connection the call came over; absent in-process. */
  connection?: ConnectionLock;
}

export type Handler<C extends MethodContract> = (
  params: z.output<C['params']>,
  ctx: CallContext<EventOf<C>>,
) => Promise<ResultOf<C>>;

export type Handlers = { [M in MethodName]: Handler<Contracts[M]> };
