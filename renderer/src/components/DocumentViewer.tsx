import { useEffect, useRef } from 'react';
import { useQuery } from '../api/api-context.tsx';
import { formatBytes, formatDate, plural } from '../format.ts';
import { ErrorNote } from './ErrorNote.tsx';
import { OcrBadge, OcrMark } from './OcrBadge.tsx';
import { hasMailDetails, MailDetails } from './MailDetails.tsx';
import { Spinner } from './Spinner.tsx';
import { StatusBadge } from './StatusBadge.tsx';

/**
 * A document with its chunks, scrolled to one passage when a citation or a search hit opened it.
 * Chunks are the passages Pustaka cites: their heading path and page are shown as in citations.
 */
/** Slide decks number slides, not pages: their sections' page is the slide number. */
const SLIDE_TYPES = new Set(['pptx', 'odp']);

export function DocumentViewer({ documentId, chunkId }: { documentId: number; chunkId?: number | null }) {
  const doc = useQuery('documents.get', { id: documentId });
  const chunks = useQuery('documents.chunks', { id: documentId, limit: 2_000 });
  const target = useRef<HTMLElement | null>(null);

  useEffect(() => {
    target.current?.scrollIntoView({ block: 'center' });
  }, [chunks.data, chunkId]);

  if (doc.error) return <ErrorNote error={doc.error} onRetry={doc.reload} />;
  if (!doc.data) return <Spinner label="Loading document" />;
  const d = doc.data;
  const unit = SLIDE_TYPES.has(d.fileType ?? '') ? 'slide' : 'page';
  return (
    <article className="document-viewer" aria-label={`Document ${d.title ?? d.sourcePath}`}>
      <header>
        <h2>{d.title ?? d.sourcePath}</h2>
        <p className="muted small">
          <StatusBadge status={d.status} /> {d.fileType ?? 'file'} · {formatBytes(d.sizeBytes)}
          {d.pageCount ? ` · ${plural(d.pageCount, unit)}` : ''} · {plural(d.chunkCount, 'passage')} ·
          imported {formatDate(d.importedAt)}
          {d.author ? ` · by ${d.author}` : ''}
          <OcrBadge ocr={d.ocr} />
        </p>
        <p className="muted small path" title={d.sourcePath}>
          {d.sourcePath}
        </p>
        {d.error ? (
          <p className="error-note" role="alert">
            {d.error}
          </p>
        ) : null}
        {d.warnings.length ? (
          <ul className="warnings">
            {d.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        ) : null}
        {hasMailDetails(d) ? <MailDetails doc={d} /> : null}
      </header>
      {chunks.error ? <ErrorNote error={chunks.error} onRetry={chunks.reload} /> : null}
      {chunks.data ? (
        <ol className="chunks">
          {chunks.data.items.map((c) => {
            const isTarget = c.id === chunkId;
            return (
              <li
                key={c.id}
                ref={isTarget ? (el) => void (target.current = el) : undefined}
                className={isTarget ? 'chunk target' : 'chunk'}
                aria-current={isTarget ? 'true' : undefined}
                aria-label={`Passage ${c.ordinal + 1}`}
              >
                <div className="chunk-meta">
                  {c.headingPath.length ? c.headingPath.join(' › ') : 'Untitled section'}
                  {c.page !== null ? ` · ${unit} ${c.page}` : ''}
                  <OcrMark ocr={c.page !== null && !!d.ocr?.pages.includes(c.page)} />
                </div>
                <p>{c.text}</p>
              </li>
            );
          })}
        </ol>
      ) : (
        <Spinner label="Loading passages" />
      )}
    </article>
  );
}
