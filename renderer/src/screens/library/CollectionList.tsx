import { useState } from 'react';
import type { Collection } from '../../../../core/contract/methods/collections.ts';
import { useApi } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** The collections, and a form to make a new one. */
export function CollectionList({
  collections,
  selected,
  onSelect,
  onCreated,
}: {
  collections: Collection[];
  selected: number | null;
  onSelect: (id: number) => void;
  onCreated: (c: Collection) => void;
}) {
  const api = useApi();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);
  const create = async () => {
    setError(null);
    try {
      const c = await api.call('collections.create', { name });
      setName('');
      onCreated(c);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <nav className="list-pane" aria-label="Collections">
      <div className="pane-head">
        <h2>Collections</h2>
      </div>
      <ul>
        {collections.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className={c.id === selected ? 'row selected' : 'row'}
              aria-current={c.id === selected ? 'true' : undefined}
              onClick={() => onSelect(c.id)}
            >
              <span className="row-title">{c.name}</span>
              <span className="muted small">
                {c.documentCount} documents · {c.chunkCount} passages
              </span>
            </button>
          </li>
        ))}
      </ul>
      <form
        className="pad stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) void create();
        }}
      >
        <label>
          New collection
          <input value={name} placeholder="e.g. Visa rules" onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={!name.trim()}>
          Create collection
        </button>
        <ErrorNote error={error} />
      </form>
    </nav>
  );
}
