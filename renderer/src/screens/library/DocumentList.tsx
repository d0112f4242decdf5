import { useEffect, useState } from 'react';
import type { DocumentInfo } from '../../../../core/contract/methods/documents.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { OcrBadge } from '../../components/OcrBadge.tsx';
import { useOpenPassage } from '../../components/passage-context.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatBytes, formatDate } from '../../format.ts';

const STATUSES = ['', 'indexed', 'failed', 'pending', 'embedding'] as const;

/** The documents of a collection: status, errors, and actions (open, re-import, delete). */
export function DocumentList({
  collectionId,
  version,
  onChanged,
}: {
  collectionId: number;
  version: number;
  onChanged: () => void;
}) {
  const api = useApi();
  const open = useOpenPassage();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('');
  const [query, setQuery] = useState('');
  const docs = useQuery('documents.list', {
    collection: collectionId,
    limit: 500,
    ...(status ? { status } : {}),
    ...(query.trim() ? { query: query.trim() } : {}),
  });
  const { reload } = docs;
  // `version` moves after an import or a deletion elsewhere on the screen.
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
  const [busy, setBusy] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);

  const act = async (doc: DocumentInfo, action: 'reimport' | 'delete') => {
    if (
      action === 'delete' &&
      !window.confirm(`Remove "${doc.title ?? doc.sourcePath}" from Pustaka? The file itself stays.`)
    )
      return;
    setBusy(doc.id);
    setError(null);
    try {
      if (action === 'delete') await api.call('documents.delete', { id: doc.id });
      // A message of a mailbox, an attachment: what is read again is the file that holds it.
      else
        await api.call('import.run', { collection: collectionId, paths: [doc.container ?? doc.sourcePath] });
      docs.reload();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-label="Documents" className="documents">
      <div className="toolbar">
        <h2>Documents {docs.data ? <span className="muted">({docs.data.total})</span> : null}</h2>
        <input
          type="search"
          aria-label="Filter documents"
          placeholder="Filter by title or path"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <select
          aria-label="Status"
          value={status}
          onChange={(e) => setStatus(e.target.value as typeof status)}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s || 'Any status'}
            </option>
          ))}
        </select>
      </div>
      <ErrorNote error={error ?? docs.error} onRetry={docs.reload} />
      {!docs.data ? (
        <Spinner label="Loading documents" />
      ) : docs.data.items.length === 0 ? (
        <p className="muted pad">
          {status || query
            ? 'No document matches these filters.'
            : 'No documents yet: import a file or a folder above.'}
        </p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Status</th>
              <th>Type</th>
              <th className="num">Passages</th>
              <th className="num">Size</th>
              <th>Imported</th>
              <th aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {docs.data.items.map((d) => (
              <tr key={d.id}>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => open({ documentId: d.id })}
                    title={d.sourcePath}
                  >
                    {d.title ?? d.sourcePath}
                  </button>
                  {d.error ? <div className="error-text small">{d.error}</div> : null}
                </td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td>
                  {d.fileType ?? '—'}
                  <OcrBadge ocr={d.ocr} />
                </td>
                <td className="num">{d.chunkCount}</td>
                <td className="num">{formatBytes(d.sizeBytes)}</td>
                <td>{formatDate(d.importedAt)}</td>
                <td className="actions">
                  <button
                    type="button"
                    disabled={busy === d.id}
                    onClick={() => void act(d, 'reimport')}
                    aria-label={`Re-import ${d.title ?? d.sourcePath}`}
                  >
                    Re-import
                  </button>
                  <button
                    type="button"
                    className="danger-text"
                    disabled={busy === d.id}
                    onClick={() => void act(d, 'delete')}
                    aria-label={`Delete ${d.title ?? d.sourcePath}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
