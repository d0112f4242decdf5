import { useState, type ReactNode } from 'react';
import type { ContextNote } from '../../../../core/contract/methods/notes.ts';
import { useApi, type Query } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { NoteDetail } from './NoteDetail.tsx';
import { NoteForm } from './NoteForm.tsx';
import { NoteList } from './NoteList.tsx';

/** Context notes (etiquette, customs, tone): review the worker's drafts, edit them, or write one. */
export function ContextNotes({ tabs, notes }: { tabs: ReactNode; notes: Query<ContextNote[]> }) {
  const api = useApi();
  const [selected, setSelected] = useState<number | null>(null);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const items = notes.data ?? [];
  const current = items.find((n) => n.id === selected) ?? items[0] ?? null;

  const add = async (fields: { topic: string; content: string; whenToUse: string; tone: string }) => {
    setBusy(true);
    setError(null);
    try {
      const n = await api.call('notes.edit', {
        topic: fields.topic,
        content: fields.content,
        ...(fields.whenToUse ? { whenToUse: fields.whenToUse } : {}),
        ...(fields.tone ? { tone: fields.tone } : {}),
      });
      setAdding(false);
      setSelected(n.id);
      notes.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const addButton = (
    <button type="button" className="primary" onClick={() => setAdding(true)}>
      Add note
    </button>
  );
  return (
    <div className="split">
      <nav className="list-pane" aria-label="Golden answers">
        <div className="pane-head">
          <h2>Golden answers</h2>
        </div>
        {tabs}
        {items.length && !adding ? (
          <div className="pad">
            <button type="button" onClick={() => setAdding(true)}>
              Add note
            </button>
          </div>
        ) : null}
        <NoteList
          notes={items}
          selected={adding ? null : (current?.id ?? null)}
          onSelect={(id) => {
            setAdding(false);
            setSelected(id);
          }}
        />
      </nav>
      <section className="content" aria-label="Context note">
        <ErrorNote error={notes.error} onRetry={notes.reload} />
        {adding ? (
          <div className="stack">
            <h1>New context note</h1>
            <ErrorNote error={error} />
            <NoteForm
              busy={busy}
              submitLabel="Add and approve"
              onCancel={() => setAdding(false)}
              onSave={(fields) => void add(fields)}
            />
            <p className="muted small">Notes you write are approved at once.</p>
          </div>
        ) : current ? (
          <NoteDetail key={current.id} note={current} onChanged={notes.reload} />
        ) : notes.data ? (
          <EmptyState title="No context notes yet" action={addButton}>
            <p>
              Context notes carry what a good consultant knows beyond the rules: etiquette, customs, the tone
              to take. The nightly worker drafts them from passages about etiquette and customs in your
              library, or you write them by hand. Approved notes are added to the prompt when they match a
              question.
            </p>
          </EmptyState>
        ) : null}
      </section>
    </div>
  );
}
