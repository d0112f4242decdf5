import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ClientDetail } from './ClientDetail.tsx';
import { MemoryPanel } from './MemoryPanel.tsx';
import { SessionTimer } from './SessionTimer.tsx';

/** Clients (confirmed and proposed from conversations), their projects and tracked time. */
export function ClientsScreen() {
  const api = useApi();
  const clients = useQuery('clients.list', { status: 'all', limit: 500 });
  const [selected, setSelected] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [view, setView] = useState<'client' | 'memory'>('client');
  const list = (clients.data?.clients ?? []).filter((c) => c.status !== 'archived');
  const current = list.find((c) => c.id === selected) ?? list[0] ?? null;

  const create = async () => {
    setError(null);
    try {
      const c = await api.call('clients.create', { name });
      setName('');
      setSelected(c.id);
      clients.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="split">
      <nav className="list-pane" aria-label="Clients">
        <div className="pane-head">
          <h2>Clients</h2>
        </div>
        <SessionTimer onChanged={clients.reload} />
        <ul>
          {list.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={c.id === current?.id ? 'row selected' : 'row'}
                aria-current={c.id === current?.id ? 'true' : undefined}
                onClick={() => setSelected(c.id)}
              >
                <span className="row-title">
                  {c.name}{' '}
                  {c.status === 'proposed' ? <span className="badge tone-busy">proposed</span> : null}
                </span>
                <span className="muted small">
                  {c.projects} projects · {c.conversations} conversations
                </span>
              </button>
            </li>
          ))}
        </ul>
        <form
          className="pad stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (name.trim()) void create();
          }}
        >
          <label>
            New client
            <input value={name} placeholder="e.g. PT Maju Jaya" onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" disabled={!name.trim()}>
            Add client
          </button>
          <ErrorNote error={error} />
        </form>
      </nav>
      <section className="content" aria-label="Client">
        <div className="tabs" role="tablist" aria-label="Client view">
          {(
            [
              ['client', 'Details'],
              ['memory', 'Memory'],
            ] as const
          ).map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={view === id}
              className={view === id ? 'tab on' : 'tab'}
              onClick={() => setView(id)}
            >
              {label}
            </button>
          ))}
        </div>
        <ErrorNote error={clients.error} onRetry={clients.reload} />
        {view === 'memory' ? (
          <MemoryPanel
            key={current?.id ?? 0}
            client={current ? { id: current.id, name: current.name } : null}
          />
        ) : current ? (
          <ClientDetail key={current.id} clientId={current.id} onChanged={clients.reload} />
        ) : clients.data ? (
          <EmptyState title="No clients yet">
            <p>
              Add the people and companies you work for, or let Pustaka propose them from the names your
              conversations mention. Link a conversation to a client (in Chat) and what is known about them
              reaches the answers.
            </p>
          </EmptyState>
        ) : null}
      </section>
    </div>
  );
}
