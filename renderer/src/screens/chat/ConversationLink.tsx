import { useState } from 'react';
import type { ConversationSummary } from '../../../../core/contract/methods/ask.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';

/** Links a conversation to a client and project, so what is known about them reaches the answers. */
export function ConversationLink({
  conversation,
  onLinked,
}: {
  conversation: ConversationSummary;
  onLinked: () => void;
}) {
  const api = useApi();
  const clients = useQuery('clients.list', { status: 'active', limit: 500 });
  const projects = useQuery(
    'projects.list',
    conversation.clientId ? { client: conversation.clientId, limit: 500 } : null,
  );
  const [error, setError] = useState<unknown>(null);
  const link = async (client: number | null, projectId: number | null) => {
    setError(null);
    try {
      await api.call('conversations.link', { conversationId: conversation.id, client, projectId });
      onLinked();
    } catch (err) {
      setError(err);
    }
  };
  if (!clients.data || clients.data.clients.length === 0) return null;
  return (
    <div className="inline-group">
      <select
        aria-label="Client"
        value={conversation.clientId ?? ''}
        onChange={(e) => void link(e.target.value ? Number(e.target.value) : null, null)}
      >
        <option value="">No client</option>
        {clients.data.clients.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      {conversation.clientId && projects.data && projects.data.projects.length ? (
        <select
          aria-label="Project"
          value={conversation.projectId ?? ''}
          onChange={(e) => void link(conversation.clientId, e.target.value ? Number(e.target.value) : null)}
        >
          <option value="">No project</option>
          {projects.data.projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      ) : null}
      <ErrorNote error={error} />
    </div>
  );
}
