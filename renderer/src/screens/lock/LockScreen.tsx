import { useState } from 'react';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** Shown while the engine is locked: nothing else answers until the passphrase is given. */
export function LockScreen({ onUnlocked }: { onUnlocked: () => void }) {
  const api = useApi();
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const unlock = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.call('appLock.unlock', { passphrase });
      setPassphrase('');
      onUnlocked();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="connection lock">
      <h1>Pustaka is locked</h1>
      <p className="muted">Your documents and conversations stay hidden until you enter your passphrase.</p>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (passphrase) void unlock();
        }}
      >
        <label>
          Passphrase
          <input
            type="password"
            autoFocus
            autoComplete="current-password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={busy || !passphrase}>
          Unlock
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}
