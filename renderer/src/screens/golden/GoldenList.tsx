import type { GoldenSummary } from '../../../../core/contract/methods/golden.ts';
import { StatusBadge } from '../../components/StatusBadge.tsx';

export function GoldenList({
  items,
  selected,
  onSelect,
}: {
  items: GoldenSummary[];
  selected: number | null;
  onSelect: (id: number) => void;
}) {
  return (
    <ul>
      {items.map((g) => (
        <li key={g.id}>
          <button
            type="button"
            className={g.id === selected ? 'row selected' : 'row'}
            aria-current={g.id === selected ? 'true' : undefined}
            onClick={() => onSelect(g.id)}
          >
            <span className="row-title">{g.canonicalQuestion}</span>
            <span className="muted small">
              <StatusBadge status={g.reviewStatus} /> used {g.usageCount}×
              {g.clusterQueryCount ? ` · asked ${g.clusterQueryCount}×` : ''}
              {g.pinned ? ' · pinned' : ''}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
