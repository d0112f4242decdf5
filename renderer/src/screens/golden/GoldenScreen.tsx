import { useState } from 'react';
import { useQuery } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { ContextNotes } from './ContextNotes.tsx';
import { GoldenDetailView } from './GoldenDetailView.tsx';
import { GoldenList } from './GoldenList.tsx';

export type GoldenFilter = 'review' | 'approved' | 'rejected' | 'all' | 'notes';

const FILTERS: { id: GoldenFilter; label: string }[] = [
  { id: 'review', label: 'To review' },
  { id: 'approved', label: 'Approved' },
  { id: 'rejected', label: 'Rejected' },
  { id: 'all', label: 'All' },
  { id: 'notes', label: 'Context notes' },
];

/** The review queue of golden answers: approve, edit or reject what the nightly worker drafted. */
export function GoldenScreen() {
  const [filter, setFilter] = useState<GoldenFilter>('review');
  const [selected, setSelected] = useState<number | null>(null);
  const list = useQuery('golden.list', filter === 'notes' ? null : { status: filter, limit: 200 });
  const notes = useQuery('notes.list', { status: 'all', limit: 500 });
  const counts = list.data?.counts;
  const items = list.data?.items ?? [];
  const current = items.find((g) => g.id === selected) ?? items[0] ?? null;
  const notesToReview = notes.data?.filter(
    (n) => n.reviewStatus === 'draft' || n.reviewStatus === 'stale',
  ).length;

  const tabs = (
    <div className="tabs pad" role="tablist" aria-label="Review status">
      {FILTERS.map((f) => {
        const n =
          f.id === 'notes'
            ? notesToReview
            : !counts || f.id === 'all'
              ? undefined
              : f.id === 'review'
                ? counts.draft + counts.stale
                : counts[f.id];
        return (
          <button
            key={f.id}
            type="button"
            role="tab"
            aria-selected={filter === f.id}
            className={filter === f.id ? 'tab on' : 'tab'}
            onClick={() => {
              setFilter(f.id);
              setSelected(null);
            }}
          >
            {f.label}
            {n !== undefined ? <span className="count">{n}</span> : null}
          </button>
        );
      })}
    </div>
  );
  if (filter === 'notes') return <ContextNotes tabs={tabs} notes={notes} />;
  return (
    <div className="split">
      <nav className="list-pane" aria-label="Golden answers">
        <div className="pane-head">
          <h2>Golden answers</h2>
        </div>
        {tabs}
        <GoldenList items={items} selected={current?.id ?? null} onSelect={setSelected} />
      </nav>
      <section className="content" aria-label="Golden answer">
        <ErrorNote error={list.error} onRetry={list.reload} />
        {current ? (
          <GoldenDetailView key={current.id} id={current.id} onChanged={list.reload} />
        ) : list.data ? (
          <EmptyState title={filter === 'review' ? 'Nothing to review' : 'No golden answers here'}>
            <p>
              Golden answers are checked answers to the questions you ask most. The nightly worker drafts them
              from your frequent questions while the computer is idle (or when you press “Run now” on the
              Worker screen); approved ones are served at once, word for word, with their sources.
            </p>
          </EmptyState>
        ) : null}
      </section>
    </div>
  );
}
