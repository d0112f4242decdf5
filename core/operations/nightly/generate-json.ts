/**
 * JSON-schema-constrained generation for the worker's steps, through the engine's one chat model
 * (queued behind any question being answered). The grammar makes the reply follow the schema;
 * the zod schema still validates it, because a reply cut off by maxTokens is not valid JSON.
 */
import type { z } from 'zod';
import { chatModelFor, withChatModelLock } from '../../models/llm/chat-models.ts';
import type { Engine } from '../../engine/engine.ts';
import type { ChatMessage } from '../../models/llm/chat.ts';
import { activeModel } from '../../models/llm/models.ts';

export interface ChatTarget {
  name: string;
  path: string;
  key: string;
}

/** The active chat model if its file is there; null = the worker works without one. */
export async function workerChatModel(engine: Engine): Promise<ChatTarget | null> {
  const m = await activeModel(engine, 'chat');
  if (!m || !m.fileExists) return null;
  return { name: m.name, path: m.path, key: `${m.path}\n${m.sha256}` };
}

export interface JsonReply<T> {
  value: T | null;
  /** Why value is null (invalid or cut-off output). */
  problem?: string;
  tokensIn: number;
  tokensOut: number;
}

export async function generateJson<T>(
  engine: Engine,
  target: ChatTarget,
  req: {
    messages: ChatMessage[];
    jsonSchema: Record<string, unknown>;
    schema: z.ZodType<T>;
    maxTokens: number;
    signal: AbortSignal;
  },
): Promise<JsonReply<T>> {
  const model = await chatModelFor(engine, target.path, target.key);
  const r = await withChatModelLock(engine, () =>
    model.generate({
      messages: req.messages,
      maxTokens: req.maxTokens,
      temperature: 0.1,
      jsonSchema: req.jsonSchema,
      signal: req.signal,
    }),
  );
  const base = { tokensIn: r.tokensIn, tokensOut: r.tokensOut };
  let raw: unknown;
  try {
    raw = JSON.parse(r.text);
  } catch {
    return { ...base, value: null, problem: `the model's reply was not complete JSON (${r.stopReason})` };
  }
  const parsed = req.schema.safeParse(raw);
  if (!parsed.success) return { ...base, value: null, problem: `the model's reply did not fit the schema` };
  return { ...base, value: parsed.data };
}
