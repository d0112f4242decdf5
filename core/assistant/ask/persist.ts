/**
 * The persist stage: one transaction writes the conversation (new ones get a title), the user's
 * message, the golden answer's usage, the question's count (question_stats), the assistant's
 * message and the query_logs row.
 */
import type { Queryable } from '../../stores/pg/pg-store.ts';
import type { Engine } from '../../engine/engine.ts';
import { titleFrom } from '../conversations/conversations.ts';
import { recordQuestion } from '../golden/capture.ts';
import type { AskContext } from './context.ts';
import type { Outcome } from './outcome.ts';

export interface PersistedTurn {
  conversationId: number;
  messageId: number;
}

/** Latency figures as query_logs.latency_ms keeps them (stage → ms; firstTokenMs may be null). */
export type Latency = Record<string, number | null>;

/**
 * Writes the turn. `latencyNow` is called once, inside the transaction just before the two rows
 * that record latency (the assistant message's metadata and the query_logs row) are inserted;
 * those are the transaction's last statements, so the figures they keep cover everything but
 * their own two inserts and the commit (see `ask`).
 */
export async function persistTurn(
  db: Engine['db'],
  ctx: AskContext,
  o: Outcome,
  latencyNow: () => Latency,
): Promise<PersistedTurn> {
  return db.transaction(async (tx) => {
    const conversationId = ctx.params.conversationId ?? (await createConversation(tx, ctx.question));
    await tx.query(`INSERT INTO messages (conversation_id, role, content) VALUES ($1, 'user', $2)`, [
      conversationId,
      ctx.question,
    ]);
    if (o.goldenAnswerId !== null) {
      await tx.query(
        'UPDATE golden_answers SET usage_count = usage_count + 1, last_used_at = now() WHERE id = $1',
        [o.goldenAnswerId],
      );
    }
    await recordQuestion(tx, ctx.question, ctx.key, ctx.collectionIds);
    const latency = latencyNow();
    const messageId = await insertAnswer(tx, conversationId, o, latency);
    await insertQueryLog(tx, ctx, o, { conversationId, messageId }, latency);
    return { conversationId, messageId };
  });
}

async function createConversation(tx: Queryable, question: string): Promise<number> {
  const [c] = await tx.query<{ id: number | bigint }>(
    'INSERT INTO conversations (title) VALUES ($1) RETURNING id',
    [titleFrom(question)],
  );
  return Number(c!.id);
}

/** The assistant's message, its timings and notice in metadata. */
async function insertAnswer(
  tx: Queryable,
  conversationId: number,
  o: Outcome,
  latency: Latency,
): Promise<number> {
  const [m] = await tx.query<{ id: number | bigint }>(
    `INSERT INTO messages (conversation_id, role, content, path, citations, model, tokens_in, tokens_out,
                           status, metadata)
     VALUES ($1, 'assistant', $2, $3, $4::jsonb, $5, $6, $7, $8, $9::jsonb) RETURNING id`,
    [
      conversationId,
      o.answer,
      o.path,
      JSON.stringify(o.citations),
      o.model,
      o.tokensIn,
      o.tokensOut,
      o.status,
      JSON.stringify({ timings: latency, ...(o.notice ? { notice: o.notice } : {}) }),
    ],
  );
  return Number(m!.id);
}

async function insertQueryLog(
  tx: Queryable,
  ctx: AskContext,
  o: Outcome,
  ids: PersistedTurn,
  latency: Latency,
): Promise<void> {
  await tx.query(
    `INSERT INTO query_logs (conversation_id, message_id, question, normalized_question, query_hash, path,
                             golden_answer_id, collection_ids, top_score, latency_ms, total_ms,
                             tokens_in, tokens_out, model)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint[], $9, $10::jsonb, $11, $12, $13, $14)`,
    [
      ids.conversationId,
      ids.messageId,
      ctx.question,
      ctx.key.normalized,
      ctx.key.hash,
      o.path,
      o.goldenAnswerId,
      ctx.collectionIds,
      o.topScore,
      JSON.stringify(latency),
      Math.round(Number(latency.totalMs ?? 0)),
      o.tokensIn,
      o.tokensOut,
      o.model,
    ],
  );
}
