/**
 * The generate stage: the local chat model answers from the retrieved passages, streamed, in three
 * timed steps (load → prompt → generate), cited passages mapped back to the passages. A model that
 * cannot be loaded or fails hands back a notice; the caller then answers extractively.
 */
import type { AskEvent } from '../../contract/methods/ask.ts';
import type { ModelInfo } from '../../contract/methods/models.ts';
import type { SearchItem } from '../../contract/methods/search.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ChatModel } from '../../models/llm/chat.ts';
import { chatModelFor, withChatModelLock } from '../../models/llm/chat-models.ts';
import { notesForPrompt } from '../golden/cultural-notes.ts';
import { factsForPrompt } from '../memory/queries.ts';
import { mapCitations } from './citations.ts';
import type { AskClock } from './clock.ts';
import type { AskContext } from './context.ts';
import { isAbort, type Outcome } from './outcome.ts';
import { fitPrompt, SYSTEM_PROMPT, type FittedPrompt } from './prompt.ts';

/** Most tokens an answer may take (and at most a quarter of the context). */
export const MAX_ANSWER_TOKENS = 512;

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

/** Load step: the engine's model for this file, loaded if it is not already. */
export function loadChatModel(engine: Engine, row: ModelInfo): Promise<ChatModel> {
  return chatModelFor(engine, row.path, `${row.path}\n${row.sha256}`);
}

export interface AnswerPrompt {
  fitted: FittedPrompt;
  /** Most tokens the answer may take. */
  answerTokens: number;
}

/** Prompt step: system prompt, history and as many passages as fit the model's context. */
export async function buildAnswerPrompt(
  engine: Engine,
  ctx: AskContext,
  model: ChatModel,
  items: SearchItem[],
  signal?: AbortSignal,
): Promise<AnswerPrompt> {
  const answerTokens = Math.min(MAX_ANSWER_TOKENS, Math.floor(model.contextSize / 4));
  const system = await systemPrompt(engine, ctx.question, ctx.params.conversationId);
  const fitted = await fitPrompt({
    system,
    question: ctx.question,
    passages: items,
    history: ctx.history,
    contextSize: model.contextSize,
    answerTokens,
    count: (texts) => model.countTokens(texts, signal),
  });
  return { fitted, answerTokens };
}

export interface Generated {
  text: string;
  tokensIn: number;
  tokensOut: number;
  status: 'complete' | 'partial';
}

/**
 * Generate step: streams the answer through `onToken`. Cancelled, it keeps what was streamed
 * (status 'partial'); cut off by the token limit, also 'partial'. Other errors are thrown.
 */
export async function streamAnswer(
  model: ChatModel,
  prompt: AnswerPrompt,
  onToken: (text: string) => void,
  signal?: AbortSignal,
): Promise<Generated> {
  let streamed = '';
  let chunks = 0;
  try {
    const r = await model.generate({
      messages: prompt.fitted.messages,
      maxTokens: prompt.answerTokens,
      temperature: 0.2,
      signal,
      onToken: (t) => {
        streamed += t;
        chunks++;
        onToken(t);
      },
    });
    return {
      text: r.text,
      tokensIn: r.tokensIn,
      tokensOut: r.tokensOut,
      status: r.stopReason === 'maxTokens' ? 'partial' : 'complete',
    };
  } catch (err) {
    if (!isAbort(err, signal)) throw err;
    // Cancelled: keep what was streamed.
    return { text: streamed, tokensIn: prompt.fitted.promptTokens, tokensOut: chunks, status: 'partial' };
  }
}

/** The 'rag' outcome: citations mapped to the passages the prompt kept, notices for what went wrong. */
export function ragOutcome(
  ctx: AskContext,
  row: ModelInfo,
  items: SearchItem[],
  passagesKept: number,
  g: Generated,
  signal?: AbortSignal,
): Outcome {
  const mapped = mapCitations(g.text, items.slice(0, passagesKept));
  const notes: string[] = [];
  if (mapped.invalid.length) {
    notes.push(
      `the answer cites passages that do not exist: ${mapped.invalid.map((n) => `[${n}]`).join(' ')}`,
    );
  }
  if (g.status === 'partial')
    notes.push(signal?.aborted ? 'generation was cancelled' : 'the answer was cut off');
  return {
    path: 'rag',
    answer: g.text,
    citations: mapped.citations,
    model: row.name,
    tokensIn: g.tokensIn,
    tokensOut: g.tokensOut,
    status: g.status,
    topScore: items[0]?.score ?? null,
    passages: items.length,
    goldenAnswerId: null,
    ...(notes.length ? { notice: notes.join('; ') } : {}),
    // An answer citing passages that do not exist is not kept: a repeat would lose the notice.
    cacheable: g.status === 'complete' && ctx.useCache && mapped.invalid.length === 0,
  };
}

export interface GenerateOpts {
  signal?: AbortSignal;
  onEvent?: (event: AskEvent) => void;
}

/**
 * The whole generate stage with the active model `row` (its file present): load, then, holding
 * the model's lock, prompt and generate, each timed on `clock`. Returns the outcome, or the notice
 * to show with an extractive answer when the model could not be loaded or failed. Cancellation
 * is rethrown.
 */
export async function generateAnswer(
  engine: Engine,
  ctx: AskContext,
  row: ModelInfo,
  items: SearchItem[],
  clock: AskClock,
  opts: GenerateOpts = {},
): Promise<Outcome | { notice: string }> {
  const { signal, onEvent } = opts;
  let step: 'load' | 'prompt' | 'generate' = 'load';
  try {
    const model = await clock.time('loadMs', () => loadChatModel(engine, row));
    return await withChatModelLock(engine, async () => {
      step = 'prompt';
      const prompt = await clock.time('promptMs', () => buildAnswerPrompt(engine, ctx, model, items, signal));
      step = 'generate';
      const onToken = (text: string) => {
        clock.markFirstToken();
        onEvent?.({ type: 'token', text });
      };
      const g = await clock.time('generateMs', () => streamAnswer(model, prompt, onToken, signal));
      return ragOutcome(ctx, row, items, prompt.fitted.passagesKept, g, signal);
    });
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    const why = err instanceof Error ? err.message : String(err);
    const what = step === 'load' ? 'could not be loaded' : 'failed';
    return {
      notice: `the chat model "${row.name}" ${what} (${why}); showing the most relevant passages instead`,
    };
  }
}
