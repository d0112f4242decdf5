import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** Turn the app lock on or off, lock now, and choose the idle time-out. */
export function AppLockCard({ onLocked }: { onLocked: () => void }) {
  const api = useApi();
  const status = useQuery('appLock.status', {});
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const s = status.data;

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      setPassphrase('');
      setConfirm('');
      status.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div className="card stack" aria-label="App lock">
      <h2>App lock</h2>
      <p className="muted small">
        A passphrase hides everything until it is entered again — after a time without use, or when you lock
        it. The passphrase is stored only as a hash: if you forget it, Pustaka cannot recover it.
      </p>
      <ErrorNote error={status.error ?? error} />
      {!s ? null : s.enabled ? (
        <>
          <div className="row-form">
            <label>
              Lock after minutes idle (0 = never)
              <input
                type="number"
                min={0}
                max={1440}
                defaultValue={s.idleMinutes}
                onBlur={(e) =>
                  void run(() => api.call('appLock.setIdleMinutes', { minutes: Number(e.target.value) }))
                }
              />
            </label>
            <button type="button" onClick={() => void run(() => api.call('appLock.lock', {})).then(onLocked)}>
              Lock now
            </button>
          </div>
          <form
            className="row-form"
            onSubmit={(e) => {
              e.preventDefault();
              void run(() => api.call('appLock.disable', { passphrase }));
            }}
          >
            <label className="grow">
              Passphrase, to turn the lock off
              <input
                type="password"
                autoComplete="current-password"
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
              />
            </label>
            <button type="submit" disabled={!passphrase}>
              Turn off
            </button>
          </form>
        </>
      ) : (
        <form
          className="row-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (passphrase !== confirm)
              setError(new Error('The two passphrases differ: type the same one twice.'));
            else void run(() => api.call('appLock.enable', { passphrase }));
          }}
        >
          <label className="grow">
            New passphrase (8 characters or more)
            <input
              type="password"
              autoComplete="new-password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
            />
          </label>
          <label className="grow">
            Repeat it
            <input
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
            />
          </label>
          <button type="submit" disabled={passphrase.length < 8}>
            Turn on
          </button>
        </form>
      )}
    </div>
  );
}
