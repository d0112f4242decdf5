import type { EventOf, ParamsOf, ResultOf } from './contract.ts';
import type { Contracts, MethodName } from './methods/index.ts';
import type { ApiErrorBody, Envelope } from './envelope.ts';

/** Carries one call to the engine and back: in-process, MessagePort or WebSocket. */
export type Transport = (
  method: string,
  params: unknown,
  opts: { signal?: AbortSignal; onEvent?: (event: unknown) => void },
) => Promise<Envelope<unknown>>;

export class ApiCallError extends Error {
  readonly code: ApiErrorBody['code'];
  readonly details: Record<string, unknown> | undefined;
  constructor(body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiCallError';
    this.code = body.code;
    this.details = body.details;
  }
}

export interface ApiClient {
  call<M extends MethodName>(
    method: M,
    params: ParamsOf<Contracts[M]>,
    opts?: { signal?: AbortSignal; onEvent?: (event: EventOf<Contracts[M]>) => void },
  ): Promise<ResultOf<Contracts[M]>>;
}

/** The typed client the CLI and the renderer use; errors come back as ApiCallError with a code. */
export function createApiClient(transport: Transport): ApiClient {
  return {
    async call(method, params, opts = {}) {
      const envelope = await transport(method, params, opts as Parameters<Transport>[2]);
      if (!envelope.ok) throw new ApiCallError(envelope.error);
      return envelope.result as never;
    },
  };
}
