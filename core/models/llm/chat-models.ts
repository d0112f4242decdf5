/**
 * One loaded chat model per engine: created on first use, reused while the active chat model is
 * the same file, replaced when it changes, closed with the engine (core/startup/open-engine.ts close()).
 * Generations are serialised: the model process answers one request at a time.
 */
import { createChatModel, type ChatModel, type ChatModelOptions } from './chat.ts';

interface Entry {
  key: string;
  model: Promise<ChatModel>;
  queue: Promise<unknown>;
}

export type ChatModelSettings = Omit<ChatModelOptions, 'modelPath'>;

const entries = new WeakMap<object, Entry>();
const settings = new WeakMap<object, ChatModelSettings>();

/** Options for the engine's chat model (tests: `{ threads: 1 }`); PUSTAKA_CHAT_THREADS also works. */
export function configureChatModels(engine: object, opts: ChatModelSettings): void {
  settings.set(engine, opts);
}

function optionsFor(engine: object): ChatModelSettings {
  const env = Number(process.env.PUSTAKA_CHAT_THREADS);
  const base: ChatModelSettings = Number.isInteger(env) && env > 0 ? { threads: env } : {};
  return { ...base, ...settings.get(engine) };
}

/** The engine's loaded model for this file (key: path + hash), loading it (or a new one) if needed. */
export async function chatModelFor(engine: object, modelPath: string, key: string): Promise<ChatModel> {
  const current = entries.get(engine);
  if (current?.key === key) return current.model;
  if (current) {
    entries.delete(engine);
    void current.model.then((m) => m.close()).catch(() => undefined);
  }
  const entry: Entry = {
    key,
    model: createChatModel({ modelPath, ...optionsFor(engine) }),
    queue: Promise.resolve(),
  };
  entries.set(engine, entry);
  entry.model.catch(() => {
    // A model that failed to load is forgotten: the next question tries again.
    if (entries.get(engine) === entry) entries.delete(engine);
  });
  return entry.model;
}

/** Runs `fn` once the model's previous generations have finished. */
export function withChatModelLock<T>(engine: object, fn: () => Promise<T>): Promise<T> {
  const entry = entries.get(engine);
  if (!entry) return fn();
  const run = entry.queue.then(fn, fn);
  entry.queue = run.catch(() => undefined);
  return run;
}

/** Closes the engine's chat model, if one was loaded. */
export async function closeChatModels(engine: object): Promise<void> {
  const entry = entries.get(engine);
  entries.delete(engine);
  if (!entry) return;
  try {
    await (await entry.model).close();
  } catch {
    // It never loaded: nothing to close.
  }
}
