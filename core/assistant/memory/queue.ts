/**
 * The background analysis after each answer: one conversation at a time, after the current
 * event-loop turn (so it never delays the answer being returned), patterns only by default (the
 * model stays free for the next question; the nightly worker runs the model pass). Errors are
 * logged, never thrown. Engine close waits for the queue (drainMemoryQueue).
 */
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { chatModelsService } from '../../models/llm/chat-models.ts';
import { analyzeConversation, type AnalyzeResult } from './analyze.ts';

interface Queue {
  tail: Promise<void>;
  pending: Set<number>;
  closed: boolean;
}

/** One analysis queue per engine; a closing engine waits for it (and takes no more). */
const queueService = defineService<Queue & { engine: Engine }>(
  'memory-queue',
  (engine) => {
    // Analyses may use the chat model: created first, it is closed after this queue drains.
    engine.services.get(chatModelsService);
    return { engine, tail: Promise.resolve(), pending: new Set(), closed: false };
  },
  (q) => drainMemoryQueue(q.engine, { close: true }),
);

export interface QueueOptions {
  useModel?: boolean;
  onDone?: (result: AnalyzeResult) => void;
}

export function queueConversationAnalysis(
  engine: Engine,
  conversationId: number,
  opts: QueueOptions = {},
): void {
  const q = engine.services.get(queueService);
  if (q.closed || q.pending.has(conversationId)) return;
  q.pending.add(conversationId);
  const queue = q;
  q.tail = q.tail
    .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
    .then(async () => {
      queue.pending.delete(conversationId);
      const r = await analyzeConversation(engine, conversationId, { useModel: Boolean(opts.useModel) });
      opts.onDone?.(r);
    })
    .catch((err: unknown) => {
      queue.pending.delete(conversationId);
      const why = err instanceof Error ? err.message : String(err);
      process.emitWarning(
        `memory analysis of conversation ${conversationId} failed: ${why}`,
        'PustakaMemory',
      );
    });
}

/** Waits for queued analyses; later calls to queueConversationAnalysis are ignored. */
export async function drainMemoryQueue(engine: Engine, opts: { close?: boolean } = {}): Promise<void> {
  const q = engine.services.peek(queueService);
  if (!q) return;
  if (opts.close) q.closed = true;
  let tail: Promise<void>;
  do {
    tail = q.tail;
    await tail;
  } while (tail !== q.tail);
}
