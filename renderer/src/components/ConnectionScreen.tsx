import type { Connection } from '../api/connection.ts';

/** What to do when the UI cannot reach the engine: shown instead of screens that would fail. */
export function ConnectionScreen({ connection }: { connection: Exclude<Connection, { status: 'ready' }> }) {
  switch (connection.status) {
    case 'connecting':
      return (
        <main className="connection" aria-busy="true">
          <h1>Starting Pustaka…</h1>
          <p className="muted">Opening your data folder.</p>
        </main>
      );
    case 'needs-token':
      return (
        <main className="connection">
          <h1>This page needs its access token</h1>
          <p>
            Pustaka’s engine only answers pages opened with the link it printed. Open the address shown by{' '}
            <code>pustaka serve</code> — it ends with <code>#token=…</code> — or read the token from the file
            given to <code>--token-file</code>.
          </p>
        </main>
      );
    case 'refused':
      return (
        <main className="connection">
          <h1>The engine refused this page</h1>
          <p>
            The access token is wrong or belongs to an earlier run of <code>pustaka serve</code> (
            {connection.message}). Open the address it printed this time.
          </p>
        </main>
      );
    case 'lost':
      return (
        <main className="connection" aria-busy="true">
          <h1>Reconnecting to the engine…</h1>
          <p>
            {connection.message}. Nothing is lost: your data is safe on disk. If this lasts, check that
            Pustaka (or <code>pustaka serve</code>) is still running.
          </p>
        </main>
      );
    case 'failed':
      return (
        <main className="connection">
          <h1>The engine stopped</h1>
          <p>{connection.message}</p>
          <p className="muted">Quit and reopen Pustaka. Your data is safe on disk.</p>
        </main>
      );
  }
}
