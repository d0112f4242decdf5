/** Conversations and their messages (tables conversations, messages; migrations/0001). */
import type { CitationInfo, ConversationSummary, MessageInfo } from '../../contract/methods/ask.ts';
import type { Queryable } from '../../stores/pg/pg-store.ts';
import { PustakaError } from '../../base/errors.ts';

interface ConversationRow {
  id: number | bigint;
  title: string | null;
  client_id: number | bigint | null;
  project_id: number | bigint | null;
  message_count: number | bigint;
  created_at: Date;
  updated_at: Date;
}

interface MessageRow {
  id: number | bigint;
  role: MessageInfo['role'];
  content: string;
  path: MessageInfo['path'];
  citations: CitationInfo[];
  model: string | null;
  tokens_in: number | null;
  tokens_out: number | null;
  status: MessageInfo['status'];
  error: string | null;
  created_at: Date;
}

const num = (v: number | bigint | null): number | null => (v === null ? null : Number(v));

const SELECT_CONVERSATION = `
  SELECT c.id, c.title, c.client_id, c.project_id, c.created_at, c.updated_at,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count
    FROM conversations c`;

function toSummary(r: ConversationRow): ConversationSummary {
  return {
    id: Number(r.id),
    title: r.title,
    clientId: num(r.client_id),
    projectId: num(r.project_id),
    messageCount: Number(r.message_count),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** A title from the first question: one line, at most 80 characters. */
export function titleFrom(question: string): string {
  const line = question.replace(/\s+/gu, ' ').trim();
  if (line.length <= 80) return line;
  const space = line.lastIndexOf(' ', 79);
  return `${line.slice(0, space > 40 ? space : 79)}…`;
}

export async function listConversations(
  db: Queryable,
  opts: { limit: number; offset: number },
): Promise<{ conversations: ConversationSummary[]; total: number }> {
  const rows = await db.query<ConversationRow>(
    `${SELECT_CONVERSATION} ORDER BY c.updated_at DESC, c.id DESC LIMIT $1 OFFSET $2`,
    [opts.limit, opts.offset],
  );
  const [count] = await db.query<{ n: number | bigint }>('SELECT count(*) AS n FROM conversations');
  return { conversations: rows.map(toSummary), total: Number(count?.n ?? 0) };
}

export async function getConversationSummary(db: Queryable, id: number): Promise<ConversationSummary> {
  const [row] = await db.query<ConversationRow>(`${SELECT_CONVERSATION} WHERE c.id = $1`, [id]);
  if (!row) throw new PustakaError('not_found', `no conversation with id ${id}`, { id });
  return toSummary(row);
}

export async function conversationMessages(db: Queryable, id: number): Promise<MessageInfo[]> {
  const rows = await db.query<MessageRow>(
    `SELECT id, role, content, path, citations, model, tokens_in, tokens_out, status, error, created_at
       FROM messages WHERE conversation_id = $1 ORDER BY created_at, id`,
    [id],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    role: r.role,
    content: r.content,
    path: r.path,
    citations: r.citations,
    model: r.model,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    status: r.status,
    error: r.error,
    createdAt: r.created_at.toISOString(),
  }));
}

export async function getConversation(
  db: Queryable,
  id: number,
): Promise<ConversationSummary & { messages: MessageInfo[] }> {
  const summary = await getConversationSummary(db, id);
  return { ...summary, messages: await conversationMessages(db, id) };
}

export async function renameConversation(
  db: Queryable,
  id: number,
  title: string,
): Promise<ConversationSummary> {
  const rows = await db.query('UPDATE conversations SET title = $2 WHERE id = $1 RETURNING id', [
    id,
    title.trim(),
  ]);
  if (rows.length === 0) throw new PustakaError('not_found', `no conversation with id ${id}`, { id });
  return getConversationSummary(db, id);
}

export async function deleteConversation(
  db: Queryable,
  id: number,
): Promise<{ id: number; title: string | null; messages: number }> {
  const summary = await getConversationSummary(db, id);
  await db.query('DELETE FROM conversations WHERE id = $1', [id]);
  return { id, title: summary.title, messages: summary.messageCount };
}

export async function searchConversations(
  db: Queryable,
  query: string,
  limit: number,
): Promise<{
  hits: {
    conversationId: number;
    conversationTitle: string | null;
    messageId: number;
    role: MessageInfo['role'];
    snippet: string;
    rank: number;
    createdAt: string;
  }[];
}> {
  // Same folding as the stored tsvector: '/' and '\' are word separators.
  const text = query.replace(/[/\\]+/gu, ' ');
  const rows = await db.query<{
    id: number | bigint;
    conversation_id: number | bigint;
    title: string | null;
    role: MessageInfo['role'];
    snippet: string;
    rank: number;
    created_at: Date;
  }>(
    `WITH q AS (SELECT plainto_tsquery('simple', $1) AS q)
     SELECT m.id, m.conversation_id, c.title, m.role, m.created_at,
            ts_rank(m.search, q.q) AS rank,
            ts_headline('simple', m.content, q.q,
                        'StartSel=«, StopSel=», MaxWords=30, MinWords=10, MaxFragments=2') AS snippet
       FROM messages m JOIN conversations c ON c.id = m.conversation_id, q
      WHERE m.search @@ q.q
      ORDER BY rank DESC, m.created_at DESC, m.id DESC
      LIMIT $2`,
    [text, limit],
  );
  return {
    hits: rows.map((r) => ({
      conversationId: Number(r.conversation_id),
      conversationTitle: r.title,
      messageId: Number(r.id),
      role: r.role,
      snippet: r.snippet,
      rank: Number(r.rank),
      createdAt: r.created_at.toISOString(),
    })),
  };
}
