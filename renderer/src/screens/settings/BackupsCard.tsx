import { useState } from 'react';
import type { BackupProgressEvent } from '../../../../core/contract/methods/backup.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatBytes, formatDate } from '../../format.ts';

/** Backups: take one now, verify one, restore one (applied at the next start), delete. */
export function BackupsCard() {
  const api = useApi();
  const list = useQuery('backup.list', {});
  const [progress, setProgress] = useState<BackupProgressEvent | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const run = async (action: () => Promise<string>) => {
    setBusy(true);
    setError(null);
    setMessage(null);
    try {
      setMessage(await action());
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  };
  const data = list.data;
  return (
    <div className="card stack" aria-label="Backups">
      <div className="content-head">
        <h2>Backups</h2>
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              const b = await api.call('backup.create', { kind: 'manual' }, { onEvent: setProgress });
              return `Backup ${b.fileName} taken (${formatBytes(b.sizeBytes)}).`;
            })
          }
        >
          Back up now
        </button>
      </div>
      <p className="muted small">
        A backup holds your collections, conversations, golden answers and settings (not the model files).
        {data ? ` They are kept in ${data.dir}.` : ''} The nightly worker takes one each night it runs.
      </p>
      {data?.pendingRestore ? (
        <p className="notice" role="note">
          A restore of {data.pendingRestore.backupPath} is waiting: it replaces the current data when Pustaka
          next starts.
        </p>
      ) : null}
      {progress ? (
        <ProgressBar
          label="Backup progress"
          done={progress.bytesDone}
          total={progress.bytesTotal || undefined}
        />
      ) : null}
      <ErrorNote error={error ?? list.error} />
      {message ? <p role="status">{message}</p> : null}
      {data && data.backups.length ? (
        <table className="table" aria-label="Backup archives">
          <thead>
            <tr>
              <th>Taken</th>
              <th>Kind</th>
              <th>Status</th>
              <th className="num">Size</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {data.backups.map((b) => (
              <tr key={b.id}>
                <td title={b.path}>{formatDate(b.createdAt)}</td>
                <td>{b.kind}</td>
                <td>
                  <StatusBadge status={b.status} />
                  {b.verifiedAt ? (
                    <span className="muted small"> checked {formatDate(b.verifiedAt)}</span>
                  ) : null}
                  {!b.fileExists ? (
                    <div className="error-text small">The archive file is missing.</div>
                  ) : null}
                </td>
                <td className="num">{formatBytes(b.sizeBytes)}</td>
                <td className="actions">
                  <button
                    type="button"
                    disabled={busy || !b.fileExists}
                    onClick={() =>
                      void run(async () => {
                        const r = await api.call('backup.verify', { backup: b.id }, { onEvent: setProgress });
                        const failed = r.checks.filter((c) => !c.ok);
                        return failed.length
                          ? `Verification failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`
                          : `Backup verified: ${r.checks.length} checks passed.`;
                      })
                    }
                  >
                    Verify
                  </button>
                  <button
                    type="button"
                    disabled={busy || !b.fileExists}
                    onClick={() => {
                      if (
                        !window.confirm(
                          'Restore this backup? Your current data is backed up first, then replaced when Pustaka restarts.',
                        )
                      )
                        return;
                      void run(async () => {
                        await api.call('backup.restore', { backup: b.id }, { onEvent: setProgress });
                        return 'Restore prepared: quit and reopen Pustaka to finish it.';
                      });
                    }}
                  >
                    Restore
                  </button>
                  <button
                    type="button"
                    className="danger-text"
                    disabled={busy}
                    onClick={() => {
                      if (window.confirm('Delete this backup archive?'))
                        void run(async () => {
                          await api.call('backup.delete', { backup: b.id });
                          return 'Backup deleted.';
                        });
                    }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : data ? (
        <p className="muted small">No backup yet. Take one now — it takes a few seconds.</p>
      ) : null}
    </div>
  );
}
