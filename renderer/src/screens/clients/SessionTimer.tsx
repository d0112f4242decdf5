import { useEffect, useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatSeconds } from './format-seconds.ts';

/** The work timer: one runs at a time, for a client (and project) or for nobody in particular. */
export function SessionTimer({ onChanged }: { onChanged: () => void }) {
  const api = useApi();
  const current = useQuery('sessions.current', {});
  const clients = useQuery('clients.list', { status: 'active', limit: 500 });
  const [client, setClient] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [, setTick] = useState(0);
  const running = current.data ?? null;

  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => clearInterval(t);
  }, [running]);

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      current.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const elapsed = running
    ? Math.max(running.durationSeconds, (Date.now() - Date.parse(running.startedAt)) / 1000)
    : 0;
  return (
    <div className="timer pad" aria-label="Work timer">
      {running ? (
        <>
          <span className="small">
            ⏱ {formatSeconds(Math.floor(elapsed))}
            {running.clientName ? ` · ${running.clientName}` : ''}
          </span>
          <button
            type="button"
            className="danger"
            onClick={() => void act(() => api.call('sessions.stop', {}))}
          >
            Stop timer
          </button>
        </>
      ) : (
        <>
          <select aria-label="Timer client" value={client} onChange={(e) => setClient(e.target.value)}>
            <option value="">No client</option>
            {(clients.data?.clients ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={() =>
              void act(() => api.call('sessions.start', client ? { client: Number(client) } : {}))
            }
          >
            Start timer
          </button>
        </>
      )}
      <ErrorNote error={error} />
    </div>
  );
}
