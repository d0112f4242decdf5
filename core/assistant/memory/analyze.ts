/**
 * Post-conversation analysis: reads the user messages a conversation gained since its last
 * analysis (a watermark per method in memory_analysis), extracts entities and facts (patterns,
 * plus the local Llama when asked and available), stores them, and proposes clients.
 * The consultant's own messages carry the facts; assistant answers repeat documents and are skipped.
 */
import type { Engine } from '../../engine/engine.ts';
import { chatModelFor, withChatModelLock } from '../../models/llm/chat-models.ts';
import { proposeClients } from '../../business/proposals.ts';
import type { ChatModel } from '../../models/llm/chat.ts';
import { activeModel } from '../../models/llm/models.ts';
import { PustakaError } from '../../base/errors.ts';
import { extractEntities } from './entities.ts';
import { extractWithModel, mergeExtractions } from './extract-model.ts';
import { extractFacts } from './facts.ts';
import { knownEntities, saveExtraction } from './store.ts';
import type { Extraction } from './types.ts';

type Id = number | bigint;

export interface AnalyzeOptions {
  signal?: AbortSignal;
  /** Ask the active chat model too (JSON schema); patterns alone when false or no model is usable. */
  useModel?: boolean;
  /** Stop calling the model once this many tokens (in + out) were spent. */
  maxTokens?: number;
}

export interface AnalyzeResult {
  conversationId: number;
  /** User messages read. */
  messages: number;
  entities: number;
  facts: number;
  superseded: number;
  proposals: number;
  method: 'patterns' | 'model';
  /** Messages whose model reply was unusable (patterns were used for them). */
  modelFallbacks: number;
  tokensIn: number;
  tokensOut: number;
  notice?: string;
}

/** Deterministic extraction of one text. */
export function extractWithPatterns(
  text: string,
  known: Parameters<typeof extractEntities>[1] = [],
): Extraction {
  const entities = extractEntities(text, known);
  return { entities, facts: extractFacts(text, entities) };
}

async function usableModel(engine: Engine): Promise<{ model: ChatModel | null; notice?: string }> {
  const row = await activeModel(engine, 'chat');
  if (!row) return { model: null, notice: 'no chat model is installed; patterns only' };
  if (!row.fileExists)
    return { model: null, notice: `the chat model "${row.name}" is missing its file; patterns only` };
  try {
    return { model: await chatModelFor(engine, row.path, `${row.path}\n${row.sha256}`) };
  } catch (err) {
    return {
      model: null,
      notice: `the chat model "${row.name}" could not be loaded (${(err as Error).message}); patterns only`,
    };
  }
}

export async function analyzeConversation(
  engine: Engine,
  conversationId: number,
  opts: AnalyzeOptions = {},
): Promise<AnalyzeResult> {
  const { db } = engine;
  const { signal } = opts;
  signal?.throwIfAborted();
  const [conv] = await db.query<{ id: Id }>('SELECT id FROM conversations WHERE id = $1', [conversationId]);
  if (!conv)
    throw new PustakaError('not_found', `no conversation with id ${conversationId}`, { id: conversationId });
  const [mark] = await db.query<{ patterns_message_id: Id | null; model_message_id: Id | null }>(
    'SELECT patterns_message_id, model_message_id FROM memory_analysis WHERE conversation_id = $1',
    [conversationId],
  );
  let model: ChatModel | null = null;
  let notice: string | undefined;
  if (opts.useModel) ({ model, notice } = await usableModel(engine));
  const method = model ? 'model' : 'patterns';
  const after = Number((model ? mark?.model_message_id : mark?.patterns_message_id) ?? 0);
  const messages = await db.query<{ id: Id; content: string; created_at: Date }>(
    `SELECT id, content, created_at FROM messages
      WHERE conversation_id = $1 AND role = 'user' AND id > $2 ORDER BY id`,
    [conversationId, after],
  );
  const result: AnalyzeResult = {
    conversationId,
    messages: 0,
    entities: 0,
    facts: 0,
    superseded: 0,
    proposals: 0,
    method,
    modelFallbacks: 0,
    tokensIn: 0,
    tokensOut: 0,
    ...(notice ? { notice } : {}),
  };
  const known = await knownEntities(db);
  let lastId = after;
  for (const m of messages) {
    signal?.throwIfAborted();
    let extraction = extractWithPatterns(m.content, known);
    const budgetLeft = opts.maxTokens === undefined || result.tokensIn + result.tokensOut < opts.maxTokens;
    if (model && budgetLeft) {
      const mx = await withChatModelLock(engine, () => extractWithModel(model, m.content, signal));
      result.tokensIn += mx.tokensIn;
      result.tokensOut += mx.tokensOut;
      if (mx.valid) {
        extraction = mergeExtractions(extraction, mx.extraction);
      } else {
        result.modelFallbacks++;
      }
    } else if (model) {
      // Out of budget: the rest waits for the next run (the model watermark stays here).
      break;
    }
    const counts = await db.transaction(async (tx) => {
      const c = await saveExtraction(tx, {
        conversationId,
        messageId: Number(m.id),
        at: m.created_at,
        extraction,
      });
      return c;
    });
    result.messages++;
    result.entities += counts.entities;
    result.facts += counts.facts;
    result.superseded += counts.superseded;
    lastId = Number(m.id);
    for (const e of extraction.entities) {
      if ((e.kind === 'person' || e.kind === 'company') && !known.some((k) => k.name === e.name)) {
        known.push({ kind: e.kind, name: e.name });
      }
    }
  }
  await db.query(
    `INSERT INTO memory_analysis (conversation_id, patterns_message_id, model_message_id, patterns_at, model_at,
                                  facts, entities, tokens_in, tokens_out)
     VALUES ($1, $2, $3, now(), $4, $5, $6, $7, $8)
     ON CONFLICT (conversation_id) DO UPDATE SET
       patterns_message_id = GREATEST(memory_analysis.patterns_message_id, EXCLUDED.patterns_message_id),
       model_message_id    = COALESCE(GREATEST(memory_analysis.model_message_id, EXCLUDED.model_message_id),
                                      memory_analysis.model_message_id),
       patterns_at = now(),
       model_at    = COALESCE(EXCLUDED.model_at, memory_analysis.model_at),
       facts       = memory_analysis.facts + EXCLUDED.facts,
       entities    = memory_analysis.entities + EXCLUDED.entities,
       tokens_in   = memory_analysis.tokens_in + EXCLUDED.tokens_in,
       tokens_out  = memory_analysis.tokens_out + EXCLUDED.tokens_out,
       error       = NULL,
       updated_at  = now()`,
    [
      conversationId,
      // The model run also ran the patterns over the same messages.
      Math.max(lastId, Number(mark?.patterns_message_id ?? 0)) || null,
      model ? lastId || null : null,
      model ? new Date() : null,
      result.facts,
      result.entities,
      result.tokensIn,
      result.tokensOut,
    ],
  );
  if (result.messages > 0) result.proposals = (await proposeClients(db)).proposed;
  return result;
}

export interface EnrichOptions {
  /** Conversations with user messages written since then (and not yet analysed). */
  since: Date;
  signal?: AbortSignal;
  useModel?: boolean;
  budget?: { tokens: number };
}

export interface EnrichResult {
  conversations: number;
  messages: number;
  facts: number;
  entities: number;
  proposals: number;
  tokensIn: number;
  tokensOut: number;
  method: 'patterns' | 'model';
  notice?: string;
}

/** For the nightly worker: analyse every conversation with new user messages since `since`. */
export async function enrichMemory(engine: Engine, opts: EnrichOptions): Promise<EnrichResult> {
  const column = opts.useModel ? 'model_message_id' : 'patterns_message_id';
  const rows = await engine.db.query<{ conversation_id: Id }>(
    `SELECT m.conversation_id FROM messages m
       LEFT JOIN memory_analysis a ON a.conversation_id = m.conversation_id
      WHERE m.role = 'user' AND m.created_at >= $1 AND m.id > COALESCE(a.${column}, 0)
      GROUP BY m.conversation_id ORDER BY max(m.created_at)`,
    [opts.since],
  );
  const total: EnrichResult = {
    conversations: 0,
    messages: 0,
    facts: 0,
    entities: 0,
    proposals: 0,
    tokensIn: 0,
    tokensOut: 0,
    method: 'patterns',
  };
  for (const r of rows) {
    opts.signal?.throwIfAborted();
    const spent = total.tokensIn + total.tokensOut;
    if (opts.budget && spent >= opts.budget.tokens) break;
    const res = await analyzeConversation(engine, Number(r.conversation_id), {
      ...(opts.signal ? { signal: opts.signal } : {}),
      useModel: Boolean(opts.useModel),
      ...(opts.budget ? { maxTokens: opts.budget.tokens - spent } : {}),
    });
    total.conversations++;
    total.messages += res.messages;
    total.facts += res.facts;
    total.entities += res.entities;
    total.proposals += res.proposals;
    total.tokensIn += res.tokensIn;
    total.tokensOut += res.tokensOut;
    if (res.method === 'model') total.method = 'model';
    if (res.notice) total.notice = res.notice;
  }
  return total;
}

/** `memory.analyze`: one conversation, or every conversation with new messages (since a time). */
export async function analyzeNow(
  engine: Engine,
  p: { conversationId?: number; since?: string; useModel: boolean; maxTokens?: number },
  signal?: AbortSignal,
): Promise<EnrichResult> {
  if (p.conversationId === undefined) {
    return enrichMemory(engine, {
      since: p.since ? new Date(p.since) : new Date(0),
      useModel: p.useModel,
      ...(signal ? { signal } : {}),
      ...(p.maxTokens ? { budget: { tokens: p.maxTokens } } : {}),
    });
  }
  const r = await analyzeConversation(engine, p.conversationId, {
    useModel: p.useModel,
    ...(signal ? { signal } : {}),
    ...(p.maxTokens ? { maxTokens: p.maxTokens } : {}),
  });
  return {
    conversations: 1,
    messages: r.messages,
    facts: r.facts,
    entities: r.entities,
    proposals: r.proposals,
    tokensIn: r.tokensIn,
    tokensOut: r.tokensOut,
    method: r.method,
    ...(r.notice ? { notice: r.notice } : {}),
  };
}
