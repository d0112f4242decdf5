/**
 * A GGUF chat model, run in a child process (core/models/llm/chat-host.ts) supervised by
 * core/models/llm/child-host.ts, so a llama.cpp abort or any native crash never takes the engine down.
 *
 * - The file is checked with validateGguf before llama.cpp ever sees it (here, before forking).
 * - Threads = os.availableParallelism() (node-llama-cpp's default of 4 on 2 cores is ~35× slower).
 * - generate() streams text chunks through onToken and resolves with the whole reply, token
 *   counts and timings; the model's own chat template is applied in the host.
 * - abort: generate(…, signal) rejects with signal.reason at once; the host stops generating at
 *   the next token.
 * - Crashes: pending calls reject with ChatModelCrashError ("the chat model process crashed
 *   (signal SIGKILL) while generating; …") and the next call starts a new process. A process that
 *   crashes again before any call succeeded is not restarted again.
 */
import os from 'node:os';
import path from 'node:path';
import { validateGguf } from '../gguf/reader.ts';
import type { GgufInfo } from '../gguf/reader.ts';
import { ChildHost } from './child-host.ts';
import type {
  ChatGenerated,
  ChatHostReady,
  ChatHostRequest,
  ChatHostResponse,
  ChatMessage,
} from './chat-protocol.ts';
import { entryPoint } from '../../base/app-files.ts';

export type { ChatMessage, ChatRole } from './chat-protocol.ts';

export interface ChatModelOptions {
  modelPath: string;
  /** Tokens in the context; default min(the model's training context, 4096). */
  contextSize?: number;
  /** Layers on the GPU (see planModelLoad in hardware.ts); default: node-llama-cpp decides. */
  gpuLayers?: number;
  /** Default 'auto' (Metal/CUDA/Vulkan when present, else CPU). */
  gpu?: 'auto' | false;
  threads?: number;
  /** How long the model may take to load; default 5 minutes. */
  loadTimeoutMs?: number;
}

export interface GenerateOptions {
  messages: ChatMessage[];
  /** Default 512. */
  maxTokens?: number;
  /** Default 0.2 (answers grounded in passages want little randomness). */
  temperature?: number;
  signal?: AbortSignal;
  onToken?: (text: string) => void;
  /**
   * A JSON schema the reply must follow (node-llama-cpp grammar): the text is then valid JSON of
   * that shape unless generation was cut off by maxTokens. Callers still validate it.
   */
  jsonSchema?: Record<string, unknown>;
}

export interface GenerateResult {
  text: string;
  tokensIn: number;
  tokensOut: number;
  stopReason: string;
  timings: {
    /** Model load time of the process that answered. */
    loadMs: number;
    /** From the call to the first streamed text, as measured in the model process. */
    firstTokenMs: number;
    /** Output tokens per second after the first one. */
    tokensPerSecond: number;
    totalMs: number;
  };
}

export interface ChatModel {
  readonly modelPath: string;
  readonly gguf: GgufInfo;
  readonly contextSize: number;
  readonly info: Omit<ChatHostReady, 'type'>;
  /** The model process's pid (undefined while none runs). */
  readonly pid: number | undefined;
  readonly stats: { restarts: number };
  generate(opts: GenerateOptions): Promise<GenerateResult>;
  /** Exact token counts from the model's tokenizer (no BOS/template tokens). */
  countTokens(texts: string[], signal?: AbortSignal): Promise<number[]>;
  close(): Promise<void>;
}

export class ChatModelCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatModelCrashError';
  }
}

const HOST_ENTRY = entryPoint('chat-host');

type Host = ChildHost<ChatHostRequest, ChatHostResponse>;
type Call =
  | {
      type: 'generate';
      messages: ChatMessage[];
      maxTokens: number;
      temperature: number;
      jsonSchema?: Record<string, unknown>;
    }
  | { type: 'count'; texts: string[] };

function timingsOf(res: ChatGenerated, loadMs: number): GenerateResult['timings'] {
  const decodeMs = res.totalMs - res.firstTokenMs;
  return {
    loadMs,
    firstTokenMs: Math.round(res.firstTokenMs),
    tokensPerSecond: res.tokensOut > 1 && decodeMs > 0 ? (res.tokensOut - 1) / (decodeMs / 1000) : 0,
    totalMs: Math.round(res.totalMs),
  };
}

type ChatInfo = Omit<ChatHostReady, 'type'>;

/** The supervised model process of one chat model and what survives its restarts. */
interface ChatState {
  init: ChatHostRequest;
  loadTimeoutMs: number;
  /** The running process, if any (cleared when it exits). */
  host: Host | undefined;
  /** Restarts since the last successful call. */
  failedStarts: number;
  closed: boolean;
  stats: { restarts: number };
  /** Set once the first process is ready. */
  info: ChatInfo | undefined;
}

/** Starts a model process and makes it the current one. */
function startHost(s: ChatState): Host {
  const h: Host = new ChildHost<ChatHostRequest, ChatHostResponse>({
    entry: HOST_ENTRY,
    init: s.init,
    label: 'the chat model',
    loadTimeoutMs: s.loadTimeoutMs,
    isEvent: (m) => m.type === 'token',
    crashError: (m) => new ChatModelCrashError(m),
    onExit: (gone) => {
      if (s.host === gone) s.host = undefined;
    },
  });
  s.host = h;
  return h;
}

/** The running process, starting a new one after a crash (not again after a second crash in a row). */
async function runningHost(s: ChatState): Promise<Host> {
  if (s.closed) throw new Error('the chat model was closed');
  if (s.host && !s.host.exited) {
    await s.host.ready;
    return s.host;
  }
  if (s.failedStarts >= 1) {
    throw new ChatModelCrashError(
      'the chat model process crashed again after a restart; not restarting it (the model file may be damaged)',
    );
  }
  s.failedStarts++;
  s.stats.restarts++;
  const h = startHost(s);
  s.info!.loadMs = (await h.ready).loadMs;
  return h;
}

/** Sends one request to the model process and returns its reply (an error reply throws). */
async function callHost(
  s: ChatState,
  msg: Call,
  what: string,
  signal: AbortSignal | undefined,
  onEvent?: (m: ChatHostResponse) => void,
): Promise<ChatHostResponse> {
  signal?.throwIfAborted();
  const h = await runningHost(s);
  signal?.throwIfAborted();
  const res = await h.request({ ...msg, id: h.newId() }, what, {
    signal,
    ...(onEvent ? { onEvent } : {}),
  });
  if (res.type === 'error') throw new Error(`the chat model failed: ${res.message}`);
  s.failedStarts = 0;
  return res;
}

/** Generates a reply to a conversation that ends with a user message, streaming it through onToken. */
async function generateReply(s: ChatState, g: GenerateOptions): Promise<GenerateResult> {
  if (g.messages.at(-1)?.role !== 'user') throw new Error('the last message must be from the user');
  const res = await callHost(
    s,
    {
      type: 'generate',
      messages: g.messages.map((m) => ({ role: m.role, content: m.content })),
      maxTokens: g.maxTokens ?? 512,
      temperature: g.temperature ?? 0.2,
      ...(g.jsonSchema ? { jsonSchema: g.jsonSchema } : {}),
    },
    'generating',
    g.signal,
    (m) => {
      if (m.type === 'token') g.onToken?.(m.text);
    },
  );
  if (res.type === 'aborted') throw g.signal?.reason ?? new DOMException('aborted', 'AbortError');
  if (res.type !== 'generated') throw new Error(`the chat model answered ${res.type}`);
  return {
    text: res.text,
    tokensIn: res.tokensIn,
    tokensOut: res.tokensOut,
    stopReason: res.stopReason,
    timings: timingsOf(res, s.info!.loadMs),
  };
}

/** Exact token counts from the model's tokenizer. */
async function countModelTokens(s: ChatState, texts: string[], signal?: AbortSignal): Promise<number[]> {
  if (texts.length === 0) return [];
  const res = await callHost(s, { type: 'count', texts }, 'counting tokens', signal);
  if (res.type !== 'counted') throw new Error(`the chat model answered ${res.type}`);
  return res.counts;
}

/** Closes the model: stops its process and refuses further calls. */
async function closeChatModel(s: ChatState): Promise<void> {
  s.closed = true;
  await s.host?.close();
  s.host = undefined;
}

/** Validates the model file, starts the model process and returns the model once it loaded. */
export async function createChatModel(opts: ChatModelOptions): Promise<ChatModel> {
  const modelPath = path.resolve(opts.modelPath);
  // Checked here, before any llama.cpp code touches the file.
  const gguf = await validateGguf(modelPath);
  const s: ChatState = {
    init: {
      type: 'init',
      modelPath,
      threads: Math.max(1, opts.threads ?? os.availableParallelism()),
      contextSize: opts.contextSize,
      gpuLayers: opts.gpuLayers,
      gpu: opts.gpu ?? 'auto',
    },
    loadTimeoutMs: opts.loadTimeoutMs ?? 300_000,
    host: undefined,
    failedStarts: 0,
    closed: false,
    stats: { restarts: 0 },
    info: undefined,
  };
  let ready: ChatHostReady;
  try {
    ready = await startHost(s).ready;
  } catch (err) {
    s.host?.kill();
    throw err;
  }
  const { type: _type, ...info } = ready;
  s.info = info;
  return {
    modelPath,
    gguf,
    contextSize: ready.contextSize,
    info,
    stats: s.stats,
    get pid() {
      return s.host?.pid;
    },
    generate: (g) => generateReply(s, g),
    countTokens: (texts, signal) => countModelTokens(s, texts, signal),
    close: () => closeChatModel(s),
  };
}
