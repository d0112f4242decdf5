import { useState } from 'react';
import { ApiCallError } from '../../../../core/contract/client.ts';
import type { BackupProgressEvent } from '../../../../core/contract/methods/backup.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ProgressBar } from '../../components/ProgressBar.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatBytes, formatDate } from '../../format.ts';

/** Refused because this installation did not sign the archive (trustForeign accepts it). */
function isForeignArchive(err: unknown): boolean {
  return err instanceof ApiCallError && err.details?.foreignArchive === true;
}

const TRUST_FOREIGN_QUESTION =
  'This backup was not signed by this Pustaka installation (it was made on another one, or by an older Pustaka), so Pustaka cannot tell whether it was changed since it was written. Restore it only if you trust where it came from (its checksums are still checked). Restore it anyway?';

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
                  {!b.inBackupsDir ? (
                    <div className="muted small">
                      Not in this data folder ({b.path}): Pustaka neither uses nor deletes that file.
                    </div>
                  ) : !b.fileExists ? (
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
                          : `Backup verified: ${r.checks.length} checks passed.${r.integrity.warning ? ` Note: ${r.integrity.warning}` : ''}`;
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
                        const restore = (trustForeign: boolean) =>
                          api.call(
                            'backup.restore',
                            { backup: b.id, trustForeign },
                            { onEvent: setProgress },
                          );
                        let staged;
                        try {
                          staged = await restore(false);
                        } catch (err) {
                          if (!isForeignArchive(err) || !window.confirm(TRUST_FOREIGN_QUESTION)) throw err;
                          staged = await restore(true);
                        }
                        const note = staged.integrity.warning ? ` Note: ${staged.integrity.warning}` : '';
                        return `Restore prepared: quit and reopen Pustaka to finish it.${note}`;
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
                      const question = b.inBackupsDir
                        ? 'Delete this backup archive?'
                        : 'Remove this entry from the list? Its file is outside this data folder and is left alone.';
                      if (window.confirm(question))
                        void run(async () => {
                          await api.call('backup.delete', { backup: b.id });
                          return b.inBackupsDir
                            ? 'Backup deleted.'
                            : 'Removed from the list; the file was left alone.';
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
