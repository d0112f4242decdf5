/**
 * What an answer depends on, resolved once at the start of an ask: the question and its keys, the
 * collections in scope, the conversation's history and the active chat model.
 */
import type { z } from 'zod';
import type { askParams } from '../../contract/methods/ask.ts';
import type { ModelInfo } from '../../contract/methods/models.ts';
import type { Engine } from '../../engine/engine.ts';
import { resolveCollections } from '../../knowledge/retrieval/scope.ts';
import { activeModel } from '../../models/llm/models.ts';
import { conversationMessages, getConversationSummary } from '../conversations/conversations.ts';
import { questionKeys, type QuestionKey } from '../golden/question-key.ts';
import type { HistoryMessage } from './prompt.ts';

/** Ask parameters after the contract's parsing (defaults applied). */
export type ParsedAskParams = z.output<typeof askParams>;

export interface AskContext {
  params: ParsedAskParams;
  /** The question, trimmed. */
  question: string;
  key: QuestionKey;
  /** The collections asked about (null: all of them). */
  collectionIds: number[] | null;
  /** Earlier user and assistant turns of the conversation (empty for a new one). */
  history: HistoryMessage[];
  modelRow: ModelInfo | null;
  /** The answer cache serves and keeps only questions without history. */
  useCache: boolean;
}

/**
 * Resolves the scope (unknown collections fail here), the history of a continued conversation
 * (an unknown conversation fails here) and the active chat model.
 */
export async function resolveAskContext(engine: Engine, params: ParsedAskParams): Promise<AskContext> {
  const { db } = engine;
  const question = params.question.trim();
  const key = questionKeys(question);
  const scope = await resolveCollections(db, engine.vectors, engine.caches.get('search'), params.collections);
  const collectionIds = params.collections ? scope.map((c) => c.id) : null;
  let history: HistoryMessage[] = [];
  if (params.conversationId !== undefined) {
    await getConversationSummary(db, params.conversationId);
    history = (await conversationMessages(db, params.conversationId))
      .filter(
        (m) => (m.role === 'user' || m.role === 'assistant') && m.status !== 'error' && m.content.trim(),
      )
      .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  }
  const modelRow = await activeModel(engine, 'chat');
  return { params, question, key, collectionIds, history, modelRow, useCache: history.length === 0 };
}
