import { useState } from 'react';
import type { ContextNote } from '../../../../core/contract/methods/notes.ts';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { StatusBadge } from '../../components/StatusBadge.tsx';
import { baseName, formatDate } from '../../format.ts';
import { NoteForm } from './NoteForm.tsx';

/** One context note: read it, approve or reject it, or edit it in place. */
export function NoteDetail({ note, onChanged }: { note: ContextNote; onChanged: () => void }) {
  const api = useApi();
  const [editing, setEditing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setEditing(false);
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const review = (decision: 'approve' | 'reject') =>
    void act(() => api.call('notes.review', { id: note.id, decision }));
  return (
    <article className="stack">
      <header>
        <h1>{note.topic}</h1>
        <p className="muted small">
          <StatusBadge status={note.reviewStatus} />{' '}
          {note.generatedBy === 'user' ? 'written by you' : `drafted by ${note.generatedBy}`} ·{' '}
          {formatDate(note.createdAt)} · used in {note.usageCount}{' '}
          {note.usageCount === 1 ? 'answer' : 'answers'}
          {note.language ? ` · ${note.language}` : ''}
        </p>
      </header>
      <ErrorNote error={error} />
      {editing ? (
        <NoteForm
          note={note}
          busy={busy}
          submitLabel="Save"
          onCancel={() => setEditing(false)}
          onSave={(f, approve) =>
            void act(() =>
              api.call('notes.edit', {
                id: note.id,
                topic: f.topic,
                content: f.content,
                whenToUse: f.whenToUse,
                tone: f.tone,
                approve,
              }),
            )
          }
        />
      ) : (
        <>
          <div className="card answer-text" aria-label="Note">
            <p>{note.content}</p>
          </div>
          <dl className="facts">
            <dt>When to use</dt>
            <dd>{note.whenToUse || <span className="muted">whenever the topic matches</span>}</dd>
            <dt>Tone</dt>
            <dd>{note.tone || <span className="muted">not set</span>}</dd>
            <dt>Source</dt>
            <dd>
              {note.source.sourcePath ? (
                <span title={note.source.sourcePath}>
                  {note.source.title ?? baseName(note.source.sourcePath)}{' '}
                  <span className="muted small path">{note.source.sourcePath}</span>
                </span>
              ) : (
                <span className="muted">
                  {note.generatedBy === 'user' ? 'written by hand' : 'no passage recorded'}
                </span>
              )}
            </dd>
          </dl>
          <div className="actions start">
            {note.reviewStatus !== 'approved' ? (
              <button type="button" className="primary" disabled={busy} onClick={() => review('approve')}>
                Approve
              </button>
            ) : null}
            <button type="button" disabled={busy} onClick={() => setEditing(true)}>
              Edit
            </button>
            {note.reviewStatus !== 'rejected' ? (
              <button type="button" className="danger-text" disabled={busy} onClick={() => review('reject')}>
                Reject
              </button>
            ) : null}
          </div>
        </>
      )}
      <p className="muted small">
        Approved notes are added to the prompt when a question matches their topic or “when to use”, so
        answers respect local etiquette and customs. Rejected ones are never used.
      </p>
    </article>
  );
}
