import { useState } from 'react';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { CitationChip } from '../../components/CitationChip.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { InlinePrompt } from '../../components/InlinePrompt.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { formatDate } from '../../format.ts';
import { AnswerText } from '../chat/AnswerText.tsx';

/** One golden answer: read, edit, approve, reject, pin. */
export function GoldenDetailView({ id, onChanged }: { id: number; onChanged: () => void }) {
  const api = useApi();
  const detail = useQuery('golden.get', { id });
  const [draft, setDraft] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const g = detail.data;

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setDraft(null);
      detail.reload();
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  if (detail.error) return <ErrorNote error={detail.error} onRetry={detail.reload} />;
  if (!g) return <Spinner label="Loading golden answer" />;
  const editing = draft !== null;
  return (
    <article className="stack golden-detail">
      <header>
        <h1>{g.canonicalQuestion}</h1>
        <p className="muted small">
          <StatusBadge status={g.reviewStatus} />{' '}
          {g.generatedBy === 'user' ? 'written by you' : `drafted by ${g.generatedBy}`}
          {g.confidence !== null ? ` · confidence ${Math.round(g.confidence * 100)}%` : ''} · served{' '}
          {g.usageCount}×{g.lastUsedAt ? `, last ${formatDate(g.lastUsedAt)}` : ''}
          {g.clusterQueryCount ? ` · asked ${g.clusterQueryCount}×` : ''}
          {g.pinned ? ' · pinned' : ''}
        </p>
        {g.staleReason ? (
          <p className="notice" role="note">
            Stale: {g.staleReason}. Check the answer against its sources, then approve it again or edit it.
          </p>
        ) : null}
      </header>
      <ErrorNote error={error} />
      {editing ? (
        <label>
          Answer
          <textarea rows={10} value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
      ) : (
        <div className="card" aria-label="Answer">
          <AnswerText text={g.answer.trim()} citations={g.sources} />
        </div>
      )}
      {g.sources.length ? (
        <div className="chips" role="group" aria-label="Sources">
          {g.sources.map((c) => (
            <CitationChip key={c.n} citation={c} />
          ))}
        </div>
      ) : null}
      {g.variations.length ? (
        <details>
          <summary className="small">Also answers {g.variations.length} similar questions</summary>
          <ul className="small">
            {g.variations.map((v) => (
              <li key={v}>{v}</li>
            ))}
          </ul>
        </details>
      ) : null}
      <div className="actions start">
        {editing ? (
          <>
            <button
              type="button"
              className="primary"
              disabled={busy || !draft.trim()}
              onClick={() => void act(() => api.call('golden.edit', { id, answer: draft, approve: true }))}
            >
              Save and approve
            </button>
            <button
              type="button"
              disabled={busy || !draft.trim()}
              onClick={() => void act(() => api.call('golden.edit', { id, answer: draft }))}
            >
              Save
            </button>
            <button type="button" onClick={() => setDraft(null)}>
              Cancel
            </button>
          </>
        ) : (
          <>
            {g.reviewStatus !== 'approved' ? (
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => void act(() => api.call('golden.approve', { ids: [id] }))}
              >
                Approve
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={() => setDraft(g.answer)}>
              Edit
            </button>
            {g.reviewStatus !== 'rejected' ? (
              <button
                type="button"
                className="danger-text"
                disabled={busy}
                onClick={() => setRejecting(true)}
              >
                Reject
              </button>
            ) : null}
            <button
              type="button"
              disabled={busy}
              onClick={() => void act(() => api.call('golden.pin', { id, pinned: !g.pinned }))}
            >
              {g.pinned ? 'Unpin' : 'Pin'}
            </button>
          </>
        )}
      </div>
      {rejecting ? (
        <InlinePrompt
          label="Why is this answer wrong? (optional)"
          confirm="Reject"
          allowEmpty
          onCancel={() => setRejecting(false)}
          onConfirm={(reason) => {
            setRejecting(false);
            void act(() => api.call('golden.reject', { id, ...(reason ? { reason } : {}) }));
          }}
        />
      ) : null}
      <p className="muted small">
        Approved answers are served for this question and its variations. Pinned answers are never replaced by
        the nightly worker.
      </p>
    </article>
  );
}
