import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatDate } from '../../format.ts';
import { formatSeconds } from './format-seconds.ts';

/** One client: contact, projects (add one), and its recent work sessions. */
export function ClientDetail({ clientId, onChanged }: { clientId: number; onChanged: () => void }) {
  const api = useApi();
  const client = useQuery('clients.get', { client: clientId });
  const sessions = useQuery('sessions.list', { client: clientId, limit: 20 });
  const [project, setProject] = useState('');
  const [dueOn, setDueOn] = useState('');
  const [error, setError] = useState<unknown>(null);
  const c = client.data;

  const act = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      client.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  if (client.error) return <ErrorNote error={client.error} onRetry={client.reload} />;
  if (!c) return <Spinner label="Loading client" />;
  return (
    <article className="stack">
      <header className="content-head">
        <div>
          <h1>{c.name}</h1>
          <p className="muted small">
            {c.kind} · {c.facts} facts known · {c.conversations} conversations ·{' '}
            {formatSeconds(c.trackedSeconds)} tracked
            {c.email ? ` · ${c.email}` : ''}
            {c.phone ? ` · ${c.phone}` : ''}
          </p>
        </div>
        <div className="actions">
          {c.status === 'proposed' ? (
            <>
              <button
                type="button"
                className="primary"
                onClick={() => void act(() => api.call('clients.confirm', { client: c.id }))}
              >
                Confirm client
              </button>
              <button
                type="button"
                className="danger-text"
                onClick={() => void act(() => api.call('clients.reject', { client: c.id }))}
              >
                Not a client
              </button>
            </>
          ) : (
            <button
              type="button"
              onClick={() => void act(() => api.call('clients.update', { client: c.id, status: 'archived' }))}
            >
              Archive
            </button>
          )}
        </div>
      </header>
      {c.status === 'proposed' ? (
        <p className="notice">
          Proposed because {c.mentions} messages mention{' '}
          {c.entities.map((e) => e.name).join(', ') || 'this name'}.
        </p>
      ) : null}
      <ErrorNote error={error} />
      <div className="card">
        <h2>Projects</h2>
        {c.projectList.length ? (
          <table className="table" aria-label="Projects">
            <thead>
              <tr>
                <th>Project</th>
                <th>Status</th>
                <th>Due</th>
                <th className="num">Tracked</th>
              </tr>
            </thead>
            <tbody>
              {c.projectList.map((p) => (
                <tr key={p.id}>
                  <td>{p.name}</td>
                  <td>
                    <StatusBadge status={p.status} />
                  </td>
                  <td>{p.dueOn ?? '—'}</td>
                  <td className="num">{formatSeconds(p.trackedSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted small">No project yet — a visa application, a company set-up, a tax year…</p>
        )}
        <form
          className="row-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() =>
              api.call('projects.create', { client: c.id, name: project, ...(dueOn ? { dueOn } : {}) }),
            ).then(() => {
              setProject('');
              setDueOn('');
            });
          }}
        >
          <label className="grow">
            New project
            <input
              value={project}
              placeholder="e.g. KITAS renewal 2026"
              onChange={(e) => setProject(e.target.value)}
            />
          </label>
          <label>
            Due
            <input type="date" value={dueOn} onChange={(e) => setDueOn(e.target.value)} />
          </label>
          <button type="submit" disabled={!project.trim()}>
            Add project
          </button>
        </form>
      </div>
      <div className="card">
        <h2>Recent work sessions</h2>
        {sessions.data && sessions.data.sessions.length ? (
          <ul className="plain">
            {sessions.data.sessions.map((s) => (
              <li key={s.id}>
                {formatDate(s.startedAt)} · {formatSeconds(s.durationSeconds)}
                {s.projectName ? ` · ${s.projectName}` : ''}
                {s.description ? ` — ${s.description}` : ''}
                {s.endedAt === null ? <span className="badge tone-busy">running</span> : null}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">Start the timer (top left) while you work for this client.</p>
        )}
      </div>
    </article>
  );
}
