import type { ContextNote } from '../../../../core/contract/methods/notes.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';

export function NoteList({
  notes,
  selected,
  onSelect,
}: {
  notes: ContextNote[];
  selected: number | null;
  onSelect: (id: number) => void;
}) {
  return (
    <ul aria-label="Context notes">
      {notes.map((n) => (
        <li key={n.id}>
          <button
            type="button"
            className={n.id === selected ? 'row selected' : 'row'}
            aria-current={n.id === selected ? 'true' : undefined}
            onClick={() => onSelect(n.id)}
          >
            <span className="row-title">{n.topic}</span>
            <span className="muted small">
              <StatusBadge status={n.reviewStatus} /> used {n.usageCount}×{n.tone ? ` · ${n.tone}` : ''}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
