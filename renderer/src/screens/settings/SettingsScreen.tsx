import { useState } from 'react';
import { useQuery } from '../../api/api-context.tsx';
import { useLocked } from '../../api/lock-context.ts';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { RebuildBanner } from '../../components/RebuildBanner.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { formatBytes, formatMs } from '../../format.ts';
import { applyTheme, loadTheme, type ThemeChoice } from '../../theme.ts';
import { AppLockCard } from './AppLockCard.tsx';
import { BackupsCard } from './BackupsCard.tsx';
import { IdleRulesCard } from './IdleRulesCard.tsx';

/** Data folder, storage, appearance and versions. */
export function SettingsScreen() {
  const status = useQuery('status', {});
  const onLocked = useLocked();
  const [theme, setTheme] = useState<ThemeChoice>(loadTheme);
  const s = status.data;
  return (
    <section className="content" aria-label="Settings">
      <header className="content-head">
        <h1>Settings</h1>
      </header>
      <div className="card">
        <h2>Appearance</h2>
        <fieldset className="segmented" aria-label="Theme">
          {(['system', 'light', 'dark'] as const).map((t) => (
            <label key={t} className={theme === t ? 'on' : ''}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={theme === t}
                onChange={() => {
                  setTheme(t);
                  applyTheme(t);
                }}
              />
              {t === 'system' ? 'Like the system' : t === 'light' ? 'Light' : 'Dark'}
            </label>
          ))}
        </fieldset>
      </div>
      <BackupsCard />
      <IdleRulesCard />
      <AppLockCard onLocked={onLocked} />
      <ErrorNote error={status.error} onRetry={status.reload} />
      {!s ? (
        <Spinner label="Loading status" />
      ) : (
        <>
          <RebuildBanner rebuilding={s.rebuilding} />
          <div className="card">
            <h2>Data folder</h2>
            <p>
              <code>{s.dataDir}</code>
            </p>
            <p className="muted small">
              Everything Pustaka knows lives here. To move it, quit Pustaka, move the folder, and start it
              with <code>--data-dir</code> (or <code>PUSTAKA_DATA_DIR</code>) pointing to the new place.
            </p>
            <dl className="facts">
              <dt>Database</dt>
              <dd>{formatBytes(s.stores.pgBytes)}</dd>
              <dt>Passages and vectors</dt>
              <dd>{formatBytes(s.stores.collectionsDbBytes + s.stores.collectionsWalBytes)}</dd>
              <dt>Models</dt>
              <dd>{formatBytes(s.stores.modelsBytes)}</dd>
              <dt>Contents</dt>
              <dd>
                {s.counts.collections} collections, {s.counts.documents} documents, {s.counts.chunks}{' '}
                passages, {s.counts.conversations} conversations, {s.counts.goldenAnswers} golden answers
              </dd>
            </dl>
          </div>
          <div className="card">
            <h2>About</h2>
            <dl className="facts">
              <dt>Version</dt>
              <dd>
                {s.app.name} {s.app.version}
              </dd>
              <dt>Engine</dt>
              <dd>
                Node {s.versions.node} · Postgres {s.versions.postgres} (PGlite {s.versions.pglite}) · SQLite{' '}
                {s.versions.sqlite} · sqlite-vec {s.versions.sqliteVec}
              </dd>
              <dt>Started</dt>
              <dd>
                in {formatMs(s.engine.startupMs)} · using {formatBytes(s.engine.rssBytes)} of memory
              </dd>
            </dl>
            <p className="muted small">Offline by design: nothing you import or ask leaves this computer.</p>
          </div>
        </>
      )}
    </section>
  );
}
