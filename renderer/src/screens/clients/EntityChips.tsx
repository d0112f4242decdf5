import type { EntityInfo } from '../../../../core/contract/methods/memory.ts';

/** The people, companies, places and permits the conversations mention, most mentioned first. */
export function EntityChips({ entities, total }: { entities: EntityInfo[]; total: number }) {
  if (!entities.length) return null;
  return (
    <div className="card">
      <h2>
        Mentioned <span className="count">{total}</span>
      </h2>
      <ul className="chips entity-chips" aria-label="Entities">
        {entities.map((e) => (
          <li
            key={e.id}
            className="chip"
            title={`${e.kind} · mentioned ${e.mentions}× in ${e.conversations} conversations`}
          >
            {e.name} <span className="muted">{e.kind}</span>
            {e.mentions > 1 ? <span className="muted"> · {e.mentions}×</span> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
