import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../../core/contract/client.ts';
import type { ParamsOf, ResultOf } from '../../../core/contract/contract.ts';
import type { Contracts, MethodName } from '../../../core/contract/methods/index.ts';

const ApiContext = createContext<ApiClient | null>(null);

export const ApiProvider = ApiContext.Provider;

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside ApiProvider');
  return client;
}

export interface Query<R> {
  data: R | undefined;
  error: unknown;
  loading: boolean;
  reload(): void;
}

/**
 * One API call whose result a screen shows. Re-runs when `key` (params serialised) changes or on
 * reload(); an answer that arrives after a newer request is dropped so lists never flicker back.
 */
export function useQuery<M extends MethodName>(
  method: M,
  params: ParamsOf<Contracts[M]> | null,
): Query<ResultOf<Contracts[M]>> {
  const api = useApi();
  const [state, setState] = useState<{ data?: ResultOf<Contracts[M]>; error?: unknown; loading: boolean }>({
    loading: params !== null,
  });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const key = params === null ? null : JSON.stringify(params);

  useEffect(() => {
    if (key === null) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    api.call(method, JSON.parse(key) as ParamsOf<Contracts[M]>).then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: unknown) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, [api, method, key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
