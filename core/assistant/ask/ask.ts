/**
 * The ask flow (DESIGN.md "Ask"): normalise → answer cache → golden exact → hybrid retrieval →
 * local Llama with a fitted prompt, streamed (or, without a usable model, an extractive answer) →
 * citations mapped to passages → conversation, messages and a query_logs row persisted.
 */
import {
  askParams,
  type AnswerPath,
  type AskEvent,
  type AskParams,
  type AskResult,
  type AskTimings,
  type CitationInfo,
} from '../../contract/methods/ask.ts';
import { searchParams, type SearchItem } from '../../contract/methods/search.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ModelInfo } from '../../contract/methods/models.ts';
import { activeModel } from '../../models/llm/models.ts';
import { resolveCollections } from '../../knowledge/retrieval/scope.ts';
import { search } from '../../knowledge/retrieval/search.ts';
import { chatModelFor, withChatModelLock } from '../../models/llm/chat-models.ts';
import { citationOf, mapCitations } from './citations.ts';
import { conversationMessages, getConversationSummary, titleFrom } from '../conversations/conversations.ts';
import { extractiveAnswer, NO_MODEL_LABEL, NOTHING_FOUND } from './extractive.ts';
import { fitPrompt, SYSTEM_PROMPT, type HistoryMessage } from './prompt.ts';
import { recordQuestion } from '../golden/capture.ts';
import { findGolden, type GoldenMatch } from '../golden/lookup.ts';
import { questionKeys } from '../golden/question-key.ts';
import { sourcesToCitations } from '../golden/sources.ts';
import { notesForPrompt } from '../golden/cultural-notes.ts';
import { queueConversationAnalysis } from '../memory/queue.ts';
import { factsForPrompt } from '../memory/queries.ts';

export interface AskOptions {
  signal?: AbortSignal;
  onEvent?: (event: AskEvent) => void;
}

/** What the answer cache keeps (rag and extractive answers without notices). */
interface CachedAnswer {
  answer: string;
  citations: CitationInfo[];
  model: string | null;
  topScore: number | null;
  passages: number;
}

export const MODEL_FAILED_LABEL = 'The language model could not be used; the most relevant passages:';
/** Most tokens an answer may take (and at most a quarter of the context). */
export const MAX_ANSWER_TOKENS = 512;

const round = (ms: number) => Math.round(ms * 10) / 10;
const isAbort = (err: unknown, signal?: AbortSignal) =>
  Boolean(signal?.aborted) || (err as Error | undefined)?.name === 'AbortError';

interface Outcome {
  path: AnswerPath;
  answer: string;
  citations: CitationInfo[];
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  status: 'complete' | 'partial';
  topScore: number | null;
  passages: number;
  goldenAnswerId: number | null;
  golden?: GoldenMatch;
  notice?: string;
  cacheable: boolean;
}

function extractiveOutcome(question: string, items: SearchItem[], label: string, notice?: string): Outcome {
  const ex = extractiveAnswer(question, items, { label });
  return {
    path: 'extractive',
    answer: ex.found ? ex.text : NOTHING_FOUND,
    citations: ex.cited.map((n) => citationOf(n, items[n - 1]!)),
    model: null,
    tokensIn: 0,
    tokensOut: 0,
    status: 'complete',
    topScore: items[0]?.score ?? null,
    passages: items.length,
    goldenAnswerId: null,
    ...(notice ? { notice } : {}),
    cacheable: !notice,
  };
}

/**
 * The system prompt with what the consultant approved as context (cultural/context notes that
 * match the question) and what memory holds about the conversation's client.
 */
export async function systemPrompt(
  engine: Engine,
  question: string,
  conversationId?: number,
): Promise<string> {
  const notes = await notesForPrompt(engine, question);
  const facts = conversationId !== undefined ? await factsForPrompt(engine.db, conversationId) : [];
  const parts = [SYSTEM_PROMPT];
  if (notes.length) parts.push(notes.join('\n'));
  if (facts.length) {
    parts.push(
      `Known about the client of this conversation (from earlier conversations):\n${facts.map((f) => `- ${f}`).join('\n')}`,
    );
  }
  return parts.join('\n\n');
}

export async function ask(engine: Engine, rawParams: AskParams, opts: AskOptions = {}): Promise<AskResult> {
  const params = askParams.parse(rawParams);
  const { signal, onEvent } = opts;
  const t0 = performance.now();
  const timings: AskTimings = {
    cacheMs: 0,
    goldenMs: 0,
    retrieveMs: 0,
    promptMs: 0,
    generateMs: 0,
    firstTokenMs: null,
    totalMs: 0,
  };
  let loadMs = 0;
  signal?.throwIfAborted();
  const { db } = engine;
  const question = params.question.trim();
  const key = questionKeys(question);
  const { normalized, hash } = key;

  // Scope, history and model: what the answer depends on.
  let tc = performance.now();
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
  const modelRow: ModelInfo | null = await activeModel(db, 'chat');

  const cache = engine.caches.get<CachedAnswer>('answers');
  const useCache = history.length === 0;
  const cacheKey = JSON.stringify(['ask', hash, collectionIds, params.k, modelRow?.sha256 ?? null]);
  const hit = useCache ? cache.get(cacheKey) : undefined;
  timings.cacheMs = round(performance.now() - tc);

  let outcome: Outcome | undefined;
  if (hit) {
    outcome = {
      path: 'cache',
      answer: hit.answer,
      citations: hit.citations,
      model: hit.model,
      tokensIn: 0,
      tokensOut: 0,
      status: 'complete',
      topScore: hit.topScore,
      passages: hit.passages,
      goldenAnswerId: null,
      cacheable: false,
    };
  }

  // Golden: an approved answer to the same question (exact, variation, filler-insensitive) or
  // to a close paraphrase that agrees on every number, code, date, name and negation.
  if (!outcome) {
    tc = performance.now();
    const g = await findGolden(engine, question, key, collectionIds, {
      signal,
      semantic: history.length === 0,
    });
    if (g) {
      outcome = {
        path: 'golden',
        answer: g.answer,
        citations: sourcesToCitations(g.sources),
        model: null,
        tokensIn: 0,
        tokensOut: 0,
        status: 'complete',
        topScore: g.similarity,
        passages: 0,
        goldenAnswerId: g.id,
        golden: g,
        cacheable: false,
      };
    }
    timings.goldenMs = round(performance.now() - tc);
  }

  if (!outcome) {
    tc = performance.now();
    const found = await search(
      engine,
      searchParams.parse({
        query: question,
        k: params.k,
        ...(params.collections ? { collections: params.collections } : {}),
      }),
      signal,
    );
    const items = found.items;
    timings.retrieveMs = round(performance.now() - tc);
    onEvent?.({ type: 'retrieved', passages: items.length });

    let notice: string | undefined;
    if (modelRow && !modelRow.fileExists) {
      notice = `the chat model "${modelRow.name}" is missing its file (${modelRow.path}); showing the most relevant passages instead`;
    } else if (modelRow) {
      tc = performance.now();
      let stage: 'load' | 'prompt' | 'generate' = 'load';
      try {
        const model = await chatModelFor(engine, modelRow.path, `${modelRow.path}\n${modelRow.sha256}`);
        loadMs = round(performance.now() - tc);
        outcome = await withChatModelLock(engine, async () => {
          stage = 'prompt';
          const tp = performance.now();
          const answerTokens = Math.min(MAX_ANSWER_TOKENS, Math.floor(model.contextSize / 4));
          const system = await systemPrompt(engine, question, params.conversationId);
          const fitted = await fitPrompt({
            system,
            question,
            passages: items,
            history,
            contextSize: model.contextSize,
            answerTokens,
            count: (texts) => model.countTokens(texts, signal),
          });
          timings.promptMs = round(performance.now() - tp);
          stage = 'generate';
          const tg = performance.now();
          let streamed = '';
          let chunks = 0;
          let text: string;
          let tokensIn = fitted.promptTokens;
          let tokensOut: number;
          let status: 'complete' | 'partial' = 'complete';
          try {
            const r = await model.generate({
              messages: fitted.messages,
              maxTokens: answerTokens,
              temperature: 0.2,
              signal,
              onToken: (t) => {
                if (timings.firstTokenMs === null) timings.firstTokenMs = round(performance.now() - t0);
                streamed += t;
                chunks++;
                onEvent?.({ type: 'token', text: t });
              },
            });
            text = r.text;
            tokensIn = r.tokensIn;
            tokensOut = r.tokensOut;
            if (r.stopReason === 'maxTokens') status = 'partial';
          } catch (err) {
            if (!isAbort(err, signal)) throw err;
            // Cancelled: keep what was streamed.
            text = streamed;
            tokensOut = chunks;
            status = 'partial';
          }
          timings.generateMs = round(performance.now() - tg);
          const kept = items.slice(0, fitted.passagesKept);
          const mapped = mapCitations(text, kept);
          const notes: string[] = [];
          if (mapped.invalid.length) {
            notes.push(
              `the answer cites passages that do not exist: ${mapped.invalid.map((n) => `[${n}]`).join(' ')}`,
            );
          }
          if (status === 'partial')
            notes.push(signal?.aborted ? 'generation was cancelled' : 'the answer was cut off');
          return {
            path: 'rag' as const,
            answer: text,
            citations: mapped.citations,
            model: modelRow.name,
            tokensIn,
            tokensOut,
            status,
            topScore: items[0]?.score ?? null,
            passages: items.length,
            goldenAnswerId: null,
            ...(notes.length ? { notice: notes.join('; ') } : {}),
            cacheable: status === 'complete' && useCache,
          };
        });
      } catch (err) {
        if (isAbort(err, signal)) throw err;
        const why = err instanceof Error ? err.message : String(err);
        const what = stage === 'load' ? 'could not be loaded' : 'failed';
        notice = `the chat model "${modelRow.name}" ${what} (${why}); showing the most relevant passages instead`;
        if (stage === 'load') loadMs = round(performance.now() - tc);
      }
    }
    outcome ??= extractiveOutcome(question, items, notice ? MODEL_FAILED_LABEL : NO_MODEL_LABEL, notice);
  }

  // Persist: conversation, the two messages, the query log.
  timings.totalMs = round(performance.now() - t0);
  const o = outcome;
  const latency = { ...timings, loadMs };
  const ids = await db.transaction(async (tx) => {
    let conversationId = params.conversationId;
    if (conversationId === undefined) {
      const [c] = await tx.query<{ id: number | bigint }>(
        'INSERT INTO conversations (title) VALUES ($1) RETURNING id',
        [titleFrom(question)],
      );
      conversationId = Number(c!.id);
    }
    await tx.query(`INSERT INTO messages (conversation_id, role, content) VALUES ($1, 'user', $2)`, [
      conversationId,
      question,
    ]);
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
    const messageId = Number(m!.id);
    await tx.query(
      `INSERT INTO query_logs (conversation_id, message_id, question, normalized_question, query_hash, path,
                               golden_answer_id, collection_ids, top_score, latency_ms, total_ms,
                               tokens_in, tokens_out, model)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bigint[], $9, $10::jsonb, $11, $12, $13, $14)`,
      [
        conversationId,
        messageId,
        question,
        normalized,
        hash,
        o.path,
        o.goldenAnswerId,
        collectionIds,
        o.topScore,
        JSON.stringify(latency),
        Math.round(timings.totalMs),
        o.tokensIn,
        o.tokensOut,
        o.model,
      ],
    );
    if (o.goldenAnswerId !== null) {
      await tx.query(
        'UPDATE golden_answers SET usage_count = usage_count + 1, last_used_at = now() WHERE id = $1',
        [o.goldenAnswerId],
      );
    }
    await recordQuestion(tx, question, key, collectionIds);
    return { conversationId, messageId };
  });
  // Memory: facts and entities from this turn, in the background (core/assistant/memory/queue.ts).
  queueConversationAnalysis(engine, ids.conversationId);

  if (o.cacheable && useCache) {
    cache.set(cacheKey, {
      answer: o.answer,
      citations: o.citations,
      model: o.model,
      topScore: o.topScore,
      passages: o.passages,
    });
  }

  return {
    answer: o.answer,
    path: o.path,
    citations: o.citations,
    conversationId: ids.conversationId,
    messageId: ids.messageId,
    status: o.status,
    timings,
    tokens: { in: o.tokensIn, out: o.tokensOut },
    model: o.model,
    passages: o.passages,
    ...(o.golden
      ? {
          golden: {
            id: o.golden.id,
            match: o.golden.match,
            matchedQuestion: o.golden.matchedQuestion,
            similarity: o.golden.similarity,
          },
        }
      : {}),
    ...(o.notice ? { notice: o.notice } : {}),
  };
}
