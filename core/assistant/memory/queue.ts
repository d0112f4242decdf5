/**
 * The background analysis after each answer: one conversation at a time, after the current
 * event-loop turn (so it never delays the answer being returned), patterns only by default (the
 * model stays free for the next question; the nightly worker runs the model pass). Errors are
 * logged, never thrown. Engine close waits for the queue (drainMemoryQueue).
 */
import type { Engine } from '../../startup/open-engine.ts';
import { analyzeConversation, type AnalyzeResult } from './analyze.ts';

interface Queue {
  tail: Promise<void>;
  pending: Set<number>;
  closed: boolean;
}

const queues = new WeakMap<object, Queue>();

export interface QueueOptions {
  useModel?: boolean;
  onDone?: (result: AnalyzeResult) => void;
}

export function queueConversationAnalysis(
  engine: Engine,
  conversationId: number,
  opts: QueueOptions = {},
): void {
  let q = queues.get(engine);
  if (!q) {
    q = { tail: Promise.resolve(), pending: new Set(), closed: false };
    queues.set(engine, q);
    engine.beforeClose(() => drainMemoryQueue(engine, { close: true }));
  }
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
  const q = queues.get(engine);
  if (!q) return;
  if (opts.close) q.closed = true;
  let tail: Promise<void>;
  do {
    tail = q.tail;
    await tail;
  } while (tail !== q.tail);
}
