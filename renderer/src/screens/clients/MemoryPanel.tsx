import { useState } from 'react';
import { useQuery } from '../../api/api-context.tsx';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { Spinner } from '../../components/Spinner.tsx';
import { plural } from '../../format.ts';
import { EntityChips } from './EntityChips.tsx';
import { FactItem } from './FactItem.tsx';
import { MemoryConflicts } from './MemoryConflicts.tsx';

type FactFilter = 'active' | 'superseded' | 'rejected' | 'all';

const FILTERS: { id: FactFilter; label: string }[] = [
  { id: 'active', label: 'Current' },
  { id: 'superseded', label: 'Replaced' },
  { id: 'rejected', label: 'Rejected' },
  { id: 'all', label: 'All' },
];

/** What Pustaka has learned from conversations: facts (correct them here), changes, and names. */
export function MemoryPanel({ client }: { client: { id: number; name: string } | null }) {
  const [onlyClient, setOnlyClient] = useState(true);
  const [filter, setFilter] = useState<FactFilter>('active');
  const [query, setQuery] = useState('');
  const scope = client && onlyClient ? { client: client.id } : {};
  const q = query.trim();
  const facts = useQuery('memory.facts', {
    ...scope,
    status: filter,
    ...(q ? { query: q } : {}),
    limit: 200,
  });
  const conflicts = useQuery('memory.conflicts', { ...scope, limit: 50 });
  const entities = useQuery('memory.entities', { ...scope, limit: 60 });
  const reload = () => {
    facts.reload();
    conflicts.reload();
    entities.reload();
  };
  const list = facts.data?.facts ?? [];
  const nothingLearned =
    facts.data?.total === 0 &&
    filter === 'active' &&
    !q &&
    conflicts.data?.total === 0 &&
    entities.data?.total === 0;

  return (
    <div className="stack">
      <header className="content-head">
        <div>
          <h1>Memory</h1>
          <p className="muted small">
            {facts.data ? plural(facts.data.total, 'fact') : '…'}{' '}
            {client && onlyClient ? `about ${client.name}` : 'across all conversations'}
          </p>
        </div>
        {client ? (
          <label className="check">
            <input type="checkbox" checked={onlyClient} onChange={(e) => setOnlyClient(e.target.checked)} />
            Only {client.name}
          </label>
        ) : null}
      </header>
      <ErrorNote error={facts.error ?? conflicts.error ?? entities.error} onRetry={reload} />
      {nothingLearned ? (
        <EmptyState title="Nothing learned yet">
          <p>
            Facts are learned from your conversations: who a client is, their permit numbers, dates and
            amounts they mention. The nightly worker reads new messages (or run{' '}
            <code>pustaka memory analyze</code>), and facts about a linked client reach the answers. Link a
            conversation to {client && onlyClient ? client.name : 'a client'} in Chat to see its facts here.
          </p>
        </EmptyState>
      ) : (
        <>
          <MemoryConflicts
            conflicts={conflicts.data?.conflicts ?? []}
            total={conflicts.data?.total ?? 0}
            onChanged={reload}
          />
          <div className="card stack" role="region" aria-label="Facts">
            <div className="row-form wrap">
              <div className="tabs grow" role="tablist" aria-label="Fact status">
                {FILTERS.map((f) => (
                  <button
                    key={f.id}
                    type="button"
                    role="tab"
                    aria-selected={filter === f.id}
                    className={filter === f.id ? 'tab on' : 'tab'}
                    onClick={() => setFilter(f.id)}
                  >
                    {f.label}
                  </button>
                ))}
              </div>
              <input
                type="search"
                aria-label="Search facts"
                placeholder="Search facts…"
                value={query}
                onChange={(e) => setQuery(e.target.value)}
              />
            </div>
            {!facts.data ? (
              facts.loading ? (
                <Spinner label="Loading facts" />
              ) : null
            ) : list.length ? (
              <ul className="plain fact-list">
                {list.map((f) => (
                  <FactItem key={f.id} fact={f} onChanged={reload} />
                ))}
              </ul>
            ) : (
              <p className="muted small">
                {emptyListText(filter, q, client && onlyClient ? client.name : null)}
              </p>
            )}
            {facts.data && facts.data.total > list.length ? (
              <p className="muted small">
                Showing the {list.length} most recently seen of {facts.data.total}; search to narrow down.
              </p>
            ) : null}
          </div>
          <EntityChips entities={entities.data?.entities ?? []} total={entities.data?.total ?? 0} />
        </>
      )}
    </div>
  );
}

/** Why the fact list is empty, and for current facts how they get there. */
function emptyListText(filter: FactFilter, query: string, clientName: string | null): string {
  const kind = filter === 'all' ? '' : `${FILTERS.find((f) => f.id === filter)?.label.toLowerCase()} `;
  if (query) return `No ${kind}facts match “${query}”.`;
  if (filter !== 'active') return `No ${kind}facts${clientName ? ` about ${clientName}` : ''}.`;
  return clientName
    ? `No current facts about ${clientName}. Facts are learned from your conversations: link a conversation to ${clientName} in Chat and what it says about them lands here.`
    : 'No current facts. Facts are learned from your conversations as you ask.';
}
