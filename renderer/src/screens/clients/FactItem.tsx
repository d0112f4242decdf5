import { useState } from 'react';
import type { FactInfo } from '../../../../core/contract/methods/memory.ts';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { InlineConfirm } from '../../components/InlineConfirm.tsx';
import { formatDate } from '../../format.ts';
import { FactEditForm } from './FactEditForm.tsx';
import { describeMethod, factTone } from './fact-wording.ts';

type Mode = 'view' | 'edit' | 'delete';

/** One learned fact: what it says, where it came from, and edit / reject / restore / delete. */
export function FactItem({ fact, onChanged }: { fact: FactInfo; onChanged: () => void }) {
  const api = useApi();
  const [mode, setMode] = useState<Mode>('view');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setMode('view');
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <li className="fact-item" aria-label={fact.fact}>
      <div className="fact-line">
        <span className={fact.status === 'active' ? 'grow' : 'grow muted'}>
          {fact.status === 'active' ? fact.fact : <del>{fact.fact}</del>}{' '}
          {fact.status !== 'active' ? (
            <span className={`badge tone-${factTone(fact.status)}`}>{fact.status}</span>
          ) : null}
        </span>
        {mode === 'view' ? (
          <span className="actions">
            <button type="button" className="link" disabled={busy} onClick={() => setMode('edit')}>
              Edit
            </button>
            {fact.status === 'active' ? (
              <button
                type="button"
                className="link danger-text"
                disabled={busy}
                title="Wrong: keep it out of answers and do not learn it again"
                onClick={() => void act(() => api.call('memory.rejectFact', { id: fact.id }))}
              >
                Reject
              </button>
            ) : (
              <button
                type="button"
                className="link"
                disabled={busy}
                onClick={() =>
                  void act(() => api.call('memory.updateFact', { id: fact.id, status: 'active' }))
                }
              >
                Restore
              </button>
            )}
            <button
              type="button"
              className="link danger-text"
              disabled={busy}
              onClick={() => setMode('delete')}
            >
              Delete
            </button>
          </span>
        ) : null}
      </div>
      <span className="muted small">
        {describeMethod(fact.method)}
        {fact.method !== 'user' ? ` · ${Math.round(fact.confidence * 100)}% sure` : ''} · last seen{' '}
        {formatDate(fact.lastSeenAt)}
        {fact.sourceConversationId !== null ? ` · from conversation #${fact.sourceConversationId}` : ''}
      </span>
      {mode === 'edit' ? (
        <FactEditForm
          fact={fact}
          busy={busy}
          onCancel={() => setMode('view')}
          onSave={(changes) => void act(() => api.call('memory.updateFact', { id: fact.id, ...changes }))}
        />
      ) : null}
      {mode === 'delete' ? (
        <InlineConfirm
          question="Delete this fact for good? It may be learned again from its message — reject it instead to keep it out."
          confirm="Delete fact"
          onCancel={() => setMode('view')}
          onConfirm={() => void act(() => api.call('memory.deleteFact', { id: fact.id }))}
        />
      ) : null}
      <ErrorNote error={error} />
    </li>
  );
}
