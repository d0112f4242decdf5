import type { ConversationSummary } from '../../../../core/contract/methods/ask.ts';
import { formatDate } from '../../format.ts';

export function ConversationList({
  conversations,
  selected,
  onSelect,
  onNew,
}: {
  conversations: ConversationSummary[];
  selected: number | null;
  onSelect: (id: number) => void;
  onNew: () => void;
}) {
  return (
    <nav className="list-pane" aria-label="Conversations">
      <div className="pane-head">
        <h2>Conversations</h2>
        <button type="button" onClick={onNew} title="New conversation (Ctrl+N)">
          New
        </button>
      </div>
      {conversations.length === 0 ? (
        <p className="muted small pad">Your questions and their answers are kept here.</p>
      ) : (
        <ul>
          {conversations.map((c) => (
            <li key={c.id}>
              <button
                type="button"
                className={c.id === selected ? 'row selected' : 'row'}
                aria-current={c.id === selected ? 'true' : undefined}
                onClick={() => onSelect(c.id)}
              >
                <span className="row-title">{c.title ?? `Conversation ${c.id}`}</span>
                <span className="muted small">
                  {c.messageCount} messages · {formatDate(c.updatedAt)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </nav>
  );
}
