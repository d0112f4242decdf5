/**
 * The chat model process: loads a GGUF chat model with node-llama-cpp and generates replies for
 * the engine (core/models/llm/chat.ts), which forks it through core/models/llm/child-host.ts. The model's own
 * chat template picks node-llama-cpp's chat wrapper ('auto'); text is streamed back chunk by
 * chunk. One context sequence serves one request at a time (requests queue); the evaluated prefix
 * stays in the sequence, so a follow-up that repeats the same system prompt and history is cheap.
 */
import { LlamaChatSession } from 'node-llama-cpp';
import { loadLlamaRuntime } from './llama-runtime.ts';
import type {
  ChatHistoryItem,
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaGrammar,
  LlamaModel,
} from 'node-llama-cpp';
import type { ChatHostInit, ChatHostRequest, ChatHostResponse, ChatMessage } from './chat-protocol.ts';

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
}

let loaded: Loaded | undefined;
const controllers = new Map<number, AbortController>();
let queue: Promise<unknown> = Promise.resolve();

function send(msg: ChatHostResponse): void {
  process.send?.(msg);
}

async function init(msg: ChatHostInit): Promise<void> {
  const t0 = performance.now();
  const llama = await loadLlamaRuntime({ gpu: msg.gpu, threads: msg.threads });
  const model = await llama.loadModel({
    modelPath: msg.modelPath,
    ...(msg.gpuLayers !== undefined ? { gpuLayers: msg.gpuLayers } : {}),
  });
  const train = model.trainContextSize;
  // An explicit size is honoured; otherwise node-llama-cpp picks the largest context up to 8,192
  // tokens (or the training context) that fits the free RAM/VRAM next to the loaded weights.
  const contextSize =
    msg.contextSize !== undefined
      ? Math.max(64, Math.min(msg.contextSize, train))
      : { min: Math.min(512, train), max: Math.min(train, 8_192) };
  const context = await model.createContext({ contextSize, threads: msg.threads });
  const sequence = context.getSequence();
  const probe = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  const chatWrapper = probe.chatWrapper.constructor.name;
  probe.dispose({ disposeSequence: false });
  loaded = { llama, model, context, sequence };
  send({
    type: 'ready',
    contextSize: context.contextSize,
    trainContextSize: train,
    gpu: llama.gpu,
    gpuLayers: model.gpuLayers,
    chatWrapper,
    loadMs: Math.round(performance.now() - t0),
  });
}

/** Splits the messages into the history node-llama-cpp keeps and the prompt to answer. */
function toHistory(messages: ChatMessage[]): { history: ChatHistoryItem[]; prompt: string } {
  const last = messages[messages.length - 1];
  if (!last || last.role !== 'user') throw new Error('the last message must be from the user');
  const history: ChatHistoryItem[] = messages.slice(0, -1).map((m) => {
    if (m.role === 'system') return { type: 'system', text: m.content };
    if (m.role === 'user') return { type: 'user', text: m.content };
    return { type: 'model', response: [m.content] };
  });
  return { history, prompt: last.content };
}

/** Grammars are costly to build; the worker asks many times with the same schema. */
const grammars = new Map<string, Promise<LlamaGrammar>>();
function grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
  const key = JSON.stringify(schema);
  let g = grammars.get(key);
  if (!g) {
    g = loaded!.llama.createGrammarForJsonSchema(schema as never);
    g.catch(() => grammars.delete(key));
    grammars.set(key, g);
  }
  return g;
}

async function generate(msg: Extract<ChatHostRequest, { type: 'generate' }>): Promise<void> {
  const t0 = performance.now();
  const { model, sequence } = loaded!;
  const controller = controllers.get(msg.id)!;
  const { history, prompt } = toHistory(msg.messages);
  const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  try {
    session.setChatHistory(history);
    const promptState = session.chatWrapper.generateContextState({
      chatHistory: [...history, { type: 'user', text: prompt }, { type: 'model', response: [] }],
    });
    const tokensIn = promptState.contextText.tokenize(model.tokenizer).length;
    const outBefore = sequence.tokenMeter.usedOutputTokens;
    let firstTokenMs = -1;
    const grammar = msg.jsonSchema ? await grammarFor(msg.jsonSchema) : undefined;
    const res = await session.promptWithMeta(prompt, {
      ...(grammar ? { grammar } : {}),
      maxTokens: msg.maxTokens,
      temperature: msg.temperature,
      signal: controller.signal,
      stopOnAbortSignal: true,
      onTextChunk: (text) => {
        if (firstTokenMs < 0) firstTokenMs = performance.now() - t0;
        send({ type: 'token', id: msg.id, text });
      },
    });
    if (controller.signal.aborted) return send({ type: 'aborted', id: msg.id });
    const totalMs = performance.now() - t0;
    send({
      type: 'generated',
      id: msg.id,
      text: res.responseText,
      tokensIn,
      tokensOut: sequence.tokenMeter.usedOutputTokens - outBefore,
      firstTokenMs: firstTokenMs < 0 ? totalMs : firstTokenMs,
      totalMs,
      stopReason: res.stopReason,
    });
  } finally {
    session.dispose({ disposeSequence: false });
  }
}

/** Requests that use the sequence run one after another. */
function serial(id: number, fn: () => Promise<void>): Promise<void> {
  const run = queue.then(async () => {
    if (controllers.get(id)?.signal.aborted) return send({ type: 'aborted', id });
    await fn();
  });
  queue = run.catch(() => {});
  return run;
}

async function handle(msg: ChatHostRequest): Promise<void> {
  const id = 'id' in msg ? msg.id : null;
  try {
    switch (msg.type) {
      case 'init':
        return await init(msg);
      case 'generate':
        controllers.set(msg.id, new AbortController());
        return await serial(msg.id, () => generate(msg));
      case 'count':
        return send({
          type: 'counted',
          id: msg.id,
          counts: msg.texts.map((t) => loaded!.model.tokenize(t).length),
        });
      case 'abort':
        controllers.get(msg.id)?.abort();
        return;
      case 'close':
        await loaded?.context.dispose();
        await loaded?.model.dispose();
        process.exit(0);
    }
  } catch (err) {
    send({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    if (id !== null && msg.type === 'generate') controllers.delete(id);
  }
}

process.on('message', (msg: ChatHostRequest) => void handle(msg));
// The engine went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
