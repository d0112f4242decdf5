/**
 * A scripted chat model put in an engine's chat-model slot in place of the active model's process,
 * so the real ask flow (retrieve → prompt → generate → citations → persist) runs with a reply the
 * test chose. The active model (a real GGUF registered with models.import/models.use) must exist:
 * the slot is keyed on its path and hash, exactly as core/assistant/ask/generate.ts loads it.
 */
import type { Engine } from '../../core/engine/engine.ts';
import type { ChatMessage, ChatModel, GenerateOptions } from '../../core/models/llm/chat.ts';
import { chatModelsService } from '../../core/models/llm/chat-models.ts';
import { activeModel } from '../../core/models/llm/models.ts';

export interface FakeChatModel {
  model: ChatModel;
  /** The messages of every generate call, in order. */
  calls: ChatMessage[][];
}

export interface FakeChatOptions {
  /** The reply to give (streamed in a few chunks). */
  reply: (messages: ChatMessage[]) => string;
  contextSize?: number;
  /** Token count of a text (default: one per 4 characters). */
  count?: (text: string) => number;
}

export function fakeChatModel(modelPath: string, opts: FakeChatOptions): FakeChatModel {
  const calls: ChatMessage[][] = [];
  const count = opts.count ?? ((t: string) => Math.ceil(t.length / 4));
  const model = {
    modelPath,
    contextSize: opts.contextSize ?? 4096,
    pid: undefined,
    stats: { restarts: 0 },
    info: {
      contextSize: opts.contextSize ?? 4096,
      trainContextSize: opts.contextSize ?? 4096,
      gpu: false,
      gpuLayers: 0,
      chatWrapper: 'fake',
      loadMs: 0,
    },
    gguf: {} as ChatModel['gguf'],
    countTokens: (texts: string[]) => Promise.resolve(texts.map(count)),
    generate: (g: GenerateOptions) => {
      calls.push(g.messages);
      const text = opts.reply(g.messages);
      // Streamed in chunks of up to 7 characters, like tokens.
      for (let i = 0; i < text.length; i += 7) g.onToken?.(text.slice(i, i + 7));
      return Promise.resolve({
        text,
        tokensIn: g.messages.reduce((n, m) => n + count(m.content), 0),
        tokensOut: Math.ceil(text.length / 7),
        stopReason: 'eogToken',
        timings: { loadMs: 0, firstTokenMs: 1, tokensPerSecond: 100, totalMs: 2 },
      });
    },
    close: () => Promise.resolve(),
  } satisfies ChatModel;
  return { model, calls };
}

/** Makes `fake` the engine's loaded chat model for the active chat model row. */
export async function installFakeChatModel(engine: Engine, opts: FakeChatOptions): Promise<FakeChatModel> {
  const row = await activeModel(engine, 'chat');
  if (!row) throw new Error('installFakeChatModel: no active chat model');
  const fake = fakeChatModel(row.path, opts);
  engine.services.get(chatModelsService).entry = {
    key: `${row.path}\n${row.sha256}`,
    model: Promise.resolve(fake.model),
    queue: Promise.resolve(),
  };
  return fake;
}
