/**
 * One loaded chat model per engine: created on first use, reused while the active chat model is
 * the same file, replaced when it changes, closed with the engine (a per-engine service).
 * Generations are serialised: the model process answers one request at a time.
 */
import type { Engine } from '../../engine/engine.ts';
import { defineService } from '../../engine/services.ts';
import { createChatModel, type ChatModel, type ChatModelOptions } from './chat.ts';

interface Entry {
  key: string;
  model: Promise<ChatModel>;
  queue: Promise<unknown>;
}

export type ChatModelSettings = Omit<ChatModelOptions, 'modelPath'>;

interface ChatModelSlot {
  entry: Entry | null;
  settings: ChatModelSettings;
}

/** The engine's chat model slot; closing the engine closes the model process. */
export const chatModelsService = defineService<ChatModelSlot>(
  'chat-model',
  () => ({ entry: null, settings: {} }),
  (slot) => closeEntry(slot),
);

const slotOf = (engine: Engine) => engine.services.get(chatModelsService);

/** Options for the engine's chat model (tests: `{ threads: 1 }`); PUSTAKA_CHAT_THREADS also works. */
export function configureChatModels(engine: Engine, opts: ChatModelSettings): void {
  slotOf(engine).settings = opts;
}

function optionsFor(slot: ChatModelSlot): ChatModelSettings {
  const env = Number(process.env.PUSTAKA_CHAT_THREADS);
  const base: ChatModelSettings = Number.isInteger(env) && env > 0 ? { threads: env } : {};
  return { ...base, ...slot.settings };
}

/** The engine's loaded model for this file (key: path + hash), loading it (or a new one) if needed. */
export async function chatModelFor(engine: Engine, modelPath: string, key: string): Promise<ChatModel> {
  const slot = slotOf(engine);
  const current = slot.entry;
  if (current?.key === key) return current.model;
  if (current) {
    slot.entry = null;
    void current.model.then((m) => m.close()).catch(() => undefined);
  }
  const entry: Entry = {
    key,
    model: createChatModel({ modelPath, ...optionsFor(slot) }),
    queue: Promise.resolve(),
  };
  slot.entry = entry;
  entry.model.catch(() => {
    // A model that failed to load is forgotten: the next question tries again.
    if (slot.entry === entry) slot.entry = null;
  });
  return entry.model;
}

/** Runs `fn` once the model's previous generations have finished. */
export function withChatModelLock<T>(engine: Engine, fn: () => Promise<T>): Promise<T> {
  const entry = slotOf(engine).entry;
  if (!entry) return fn();
  const run = entry.queue.then(fn, fn);
  entry.queue = run.catch(() => undefined);
  return run;
}

async function closeEntry(slot: ChatModelSlot): Promise<void> {
  const entry = slot.entry;
  slot.entry = null;
  if (!entry) return;
  try {
    await (await entry.model).close();
  } catch {
    // It never loaded: nothing to close.
  }
}
