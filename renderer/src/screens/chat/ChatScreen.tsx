import { useCallback, useEffect, useRef, useState } from 'react';
import type { ResultOf } from '../../../../core/contract/contract.ts';
import type { MessageInfo } from '../../../../core/contract/methods/ask.ts';
import type { IndexRebuild } from '../../../../core/contract/methods/search.ts';
import type { Contracts } from '../../../../core/contract/methods/index.ts';
import { useApi, useQuery } from '../../api/api-context.tsx';
import { describeError } from '../../api/errors.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { ErrorNote } from '../../components/ErrorNote.tsx';
import { RebuildBanner } from '../../components/RebuildBanner.tsx';
import { Composer } from './Composer.tsx';
import { ConversationLink } from './ConversationLink.tsx';
import { ConversationList } from './ConversationList.tsx';
import { MessageView, type ShownMessage } from './MessageView.tsx';

type ConversationDetail = ResultOf<Contracts['conversations.get']>;

const fromStored = (m: MessageInfo): ShownMessage => ({
  key: `m${m.id}`,
  role: m.role,
  content: m.content,
  path: m.path,
  citations: m.citations,
  status: m.status,
  note: m.error,
  model: m.model,
});

/** Questions and streamed, cited answers, grouped in conversations. */
export function ChatScreen() {
  const api = useApi();
  const list = useQuery('conversations.list', { limit: 200 });
  const collections = useQuery('collections.list', {});
  // Whether the search index is being rebuilt: from status at first, then from each answer.
  const status = useQuery('status', {});
  const [rebuilding, setRebuilding] = useState<IndexRebuild | null | undefined>(undefined);
  const [selected, setSelected] = useState<number | null>(null);
  const [scope, setScope] = useState<string>('');
  const [conversation, setConversation] = useState<ConversationDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [live, setLive] = useState<ShownMessage[]>([]);
  const [busy, setBusy] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const bottom = useRef<HTMLDivElement>(null);

  /** Shows the stored conversation; what streamed in is replaced by its stored copy only then. */
  const load = useCallback(
    (id: number) =>
      api.call('conversations.get', { id }).then(
        (c) => {
          setConversation(c);
          setLive([]);
          setLoadError(null);
        },
        (err: unknown) => setLoadError(err),
      ),
    [api],
  );

  const select = (id: number) => {
    if (busy) return;
    setSelected(id);
    void load(id);
  };

  const startNew = useCallback(() => {
    if (busy) return;
    setSelected(null);
    setConversation(null);
    setLive([]);
  }, [busy]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        startNew();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [startNew]);

  useEffect(() => {
    // Braces matter: scrollIntoView returns a promise in recent Chromium, and an effect may return only a cleanup.
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [live, conversation]);

  const ask = async (question: string) => {
    const ac = new AbortController();
    controller.current = ac;
    setBusy(true);
    const stamp = Date.now();
    const answer: ShownMessage = {
      key: `a${stamp}`,
      role: 'assistant',
      content: '',
      path: null,
      citations: [],
      status: 'streaming',
    };
    setLive((l) => [
      ...l,
      { key: `q${stamp}`, role: 'user', content: question, path: null, citations: [], status: 'complete' },
      answer,
    ]);
    const update = (patch: Partial<ShownMessage>) =>
      setLive((l) => l.map((m) => (m.key === answer.key ? { ...m, ...patch } : m)));
    try {
      const result = await api.call(
        'ask',
        {
          question,
          ...(selected !== null ? { conversationId: selected } : {}),
          ...(scope ? { collections: [Number(scope)] } : {}),
        },
        {
          signal: ac.signal,
          onEvent: (e) => {
            if (e.type === 'token')
              setLive((l) =>
                l.map((m) => (m.key === answer.key ? { ...m, content: m.content + e.text } : m)),
              );
            else update({ note: `Read ${e.passages} passages…` });
          },
        },
      );
      update({
        content: result.answer,
        path: result.path,
        citations: result.citations,
        status: result.status,
        note: result.notice ?? null,
        model: result.model,
      });
      setRebuilding(result.rebuilding ?? null);
      setSelected(result.conversationId);
      list.reload();
      await load(result.conversationId);
    } catch (err) {
      if (ac.signal.aborted) {
        update({ status: 'partial', note: 'Stopped before the answer was saved.' });
      } else {
        const { message, hint } = describeError(err);
        update({ status: 'error', note: hint ? `${message} ${hint}` : message });
      }
    } finally {
      controller.current = null;
      setBusy(false);
    }
  };

  const stored = conversation?.id === selected ? conversation.messages : [];
  const shown = [...stored.filter((m) => m.role !== 'system').map(fromStored), ...live];
  return (
    <div className="split">
      <ConversationList
        conversations={list.data?.conversations ?? []}
        selected={selected}
        onSelect={select}
        onNew={startNew}
      />
      <section className="chat" aria-label="Chat">
        <div className="chat-head">
          <h1>{selected !== null ? (conversation?.title ?? 'Conversation') : 'New conversation'}</h1>
          {conversation && conversation.id === selected && !busy ? (
            <ConversationLink
              conversation={conversation}
              onLinked={() => {
                void load(conversation.id);
                list.reload();
              }}
            />
          ) : null}
          <label className="inline">
            Search in
            <select
              aria-label="Collections to search"
              value={scope}
              onChange={(e) => setScope(e.target.value)}
            >
              <option value="">All collections</option>
              {(collections.data ?? []).map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
        </div>
        <RebuildBanner rebuilding={rebuilding === undefined ? status.data?.rebuilding : rebuilding} />
        <div className="messages" aria-live="polite">
          <ErrorNote error={loadError} onRetry={selected !== null ? () => void load(selected) : undefined} />
          {shown.length === 0 ? (
            collections.data && collections.data.every((c) => c.documentCount === 0) ? (
              <EmptyState title="Nothing to answer from yet">
                <p>
                  Pustaka answers from your own documents. Open the <a href="#/library">Library</a>, create a
                  collection and import a folder — then ask here.
                </p>
              </EmptyState>
            ) : (
              <EmptyState title="Ask a question">
                <p>
                  Answers cite the passages they come from; click a source to read it in its document. Press
                  Enter to send and Esc to stop.
                </p>
              </EmptyState>
            )
          ) : (
            shown.map((m) => <MessageView key={m.key} m={m} />)
          )}
          <div ref={bottom} />
        </div>
        <Composer busy={busy} onSend={(q) => void ask(q)} onStop={() => controller.current?.abort()} />
      </section>
    </div>
  );
}
