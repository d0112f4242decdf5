/**
 * The ask flow (DESIGN.md "Ask") as a pipeline of stages, each a plain function timed on its own:
 * answer cache (cached.ts, after resolving scope, history and model: context.ts) → golden
 * (golden-stage.ts) → retrieve (retrieve.ts) → generate with the local model, streamed
 * (generate.ts), or extract (outcome.ts) → persist conversation, messages, query_logs and golden
 * usage (persist.ts) → queue the conversation's analysis (memory/queue.ts).
 */
import {
  askParams,
  type AskEvent,
  type AskParams,
  type AskResult,
  type AskTimings,
} from '../../contract/methods/ask.ts';
import type { SearchItem } from '../../contract/methods/search.ts';
import type { Engine } from '../../engine/engine.ts';
import { queueConversationAnalysis } from '../memory/queue.ts';
import { lookupCachedAnswer, storeCachedAnswer } from './cached.ts';
import { AskClock, type AskStageTimings } from './clock.ts';
import { resolveAskContext, type AskContext } from './context.ts';
import { NO_MODEL_LABEL } from './extractive.ts';
import { generateAnswer } from './generate.ts';
import { lookupGoldenAnswer } from './golden-stage.ts';
import { extractiveOutcome, type Outcome } from './outcome.ts';
import { persistTurn, type PersistedTurn } from './persist.ts';
import { retrievePassages } from './retrieve.ts';

export { MAX_ANSWER_TOKENS, systemPrompt } from './generate.ts';
export type { AskStageTimings } from './clock.ts';

export interface AskOptions {
  signal?: AbortSignal;
  onEvent?: (event: AskEvent) => void;
}

export const MODEL_FAILED_LABEL = 'The language model could not be used; the most relevant passages:';

/** An ask's result with the wall time of each of its stages. */
export interface StagedAskResult {
  result: AskResult;
  stages: AskStageTimings;
}

/** Answers a question from the documents (see askWithStages). */
export async function ask(engine: Engine, rawParams: AskParams, opts: AskOptions = {}): Promise<AskResult> {
  return (await askWithStages(engine, rawParams, opts)).result;
}

/**
 * Runs the stages and records their timings. `timings.totalMs` runs from entry to just before the
 * result is returned, persistence (commit and WAL fsync) and queueing included: what an in-process
 * caller waits, within a fraction of a millisecond.
 *
 * The rows written while persisting (query_logs, the assistant message's metadata) cannot know the
 * end: they keep the best total available inside the transaction, taken just before their own two
 * inserts, the transaction's last statements. They fall short of the returned total by those
 * inserts, the commit and its fsync (a few to tens of ms, depending on the disk). We keep that
 * documented shortfall rather than update the rows after the commit: the update would add a second
 * write and fsync to every ask's wait, and still could not include its own cost.
 */
export async function askWithStages(
  engine: Engine,
  rawParams: AskParams,
  opts: AskOptions = {},
): Promise<StagedAskResult> {
  const clock = new AskClock();
  const params = askParams.parse(rawParams);
  opts.signal?.throwIfAborted();

  const ctx = await clock.time('cacheMs', () => resolveAskContext(engine, params));
  const o =
    clock.timeSync('cacheMs', () => lookupCachedAnswer(engine, ctx)) ??
    (await answerAfresh(engine, ctx, clock, opts));

  const turn = await clock.time('persistMs', () =>
    persistTurn(engine.db, ctx, o, () => clock.latencySoFar()),
  );
  // Memory: facts and entities from this turn, in the background (core/assistant/memory/queue.ts).
  clock.timeSync('queueMs', () => queueConversationAnalysis(engine, turn.conversationId));
  storeCachedAnswer(engine, ctx, o);

  const stages = clock.stages();
  return { result: toResult(o, turn, clock.timings(clock.totalMs(), stages)), stages };
}

/** Golden, else retrieval and then the model or the extractive answer. */
async function answerAfresh(
  engine: Engine,
  ctx: AskContext,
  clock: AskClock,
  opts: AskOptions,
): Promise<Outcome> {
  const golden = await clock.time('goldenMs', () => lookupGoldenAnswer(engine, ctx, opts.signal));
  if (golden) return golden;
  const { items, rebuilding } = await clock.time('retrieveMs', () =>
    retrievePassages(engine, ctx, opts.signal),
  );
  opts.onEvent?.({ type: 'retrieved', passages: items.length });
  const o = await answerFromPassages(engine, ctx, items, clock, opts);
  // From an index still being rebuilt: say so, and do not keep it for the next asker.
  return rebuilding ? { ...o, rebuilding, cacheable: false } : o;
}

/** The model's answer; without a usable model, the extractive one (with a notice when it failed). */
async function answerFromPassages(
  engine: Engine,
  ctx: AskContext,
  items: SearchItem[],
  clock: AskClock,
  opts: AskOptions,
): Promise<Outcome> {
  const row = ctx.modelRow;
  let notice: string | undefined;
  if (row && !row.fileExists) {
    notice = `the chat model "${row.name}" is missing its file (${row.path}); showing the most relevant passages instead`;
  } else if (row) {
    const generated = await generateAnswer(engine, ctx, row, items, clock, opts);
    if ('path' in generated) return generated;
    notice = generated.notice;
  }
  const label = notice ? MODEL_FAILED_LABEL : NO_MODEL_LABEL;
  return clock.timeSync('extractMs', () => extractiveOutcome(ctx.question, items, label, notice));
}

function toResult(o: Outcome, turn: PersistedTurn, timings: AskTimings): AskResult {
  return {
    answer: o.answer,
    path: o.path,
    citations: o.citations,
    conversationId: turn.conversationId,
    messageId: turn.messageId,
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
    ...(o.rebuilding ? { rebuilding: o.rebuilding } : {}),
  };
}
