import { useState } from 'react';
import type { FactInfo } from '../../../../core/contract/methods/memory.ts';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { formatDate } from '../../format.ts';

/**
 * Facts whose value changed: the newer value won (by recency). Shows old → new side by side so a
 * wrong update is easy to spot, and lets the consultant keep the old value instead.
 */
export function MemoryConflicts({
  conflicts,
  total,
  onChanged,
}: {
  conflicts: { old: FactInfo; current: FactInfo }[];
  total: number;
  onChanged: () => void;
}) {
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!conflicts.length) return null;

  const keepOld = async (id: number) => {
    setBusy(true);
    setError(null);
    try {
      await api.call('memory.updateFact', { id, status: 'active' });
      onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="card stack" role="region" aria-label="Changed facts">
      <h2>
        Changed facts <span className="count">{total}</span>
      </h2>
      <p className="muted small">
        A newer conversation gave a different value; the newest one is used in answers. Keep the old value if
        the change was a mistake.
      </p>
      <ul className="plain">
        {conflicts.map(({ old, current }) => (
          <li key={old.id} className="fact-item">
            <div className="fact-line">
              <span className="grow">
                <strong>{current.subject}</strong> · {current.attribute}:{' '}
                <del className="muted">{old.value}</del> → <span>{current.value}</span>
              </span>
              <button type="button" className="link" disabled={busy} onClick={() => void keepOld(old.id)}>
                Keep “{old.value}”
              </button>
            </div>
            <span className="muted small">
              was true {formatDate(old.firstSeenAt)} – {formatDate(old.lastSeenAt)} · changed{' '}
              {formatDate(current.firstSeenAt)}
            </span>
          </li>
        ))}
      </ul>
      <ErrorNote error={error} />
    </div>
  );
}
