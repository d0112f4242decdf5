/** Messages between the engine (core/models/llm/chat.ts) and the chat model process (core/models/llm/chat-host.ts). */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatHostInit {
  type: 'init';
  modelPath: string;
  threads: number;
  /** Tokens in the context; undefined = min(the model's training context, 4096). */
  contextSize: number | undefined;
  /** Layers offloaded to the GPU; undefined = node-llama-cpp's choice for the free VRAM. */
  gpuLayers: number | undefined;
  gpu: 'auto' | false;
}

export type ChatHostRequest =
  | ChatHostInit
  | {
      type: 'generate';
      id: number;
      messages: ChatMessage[];
      maxTokens: number;
      temperature: number;
      /** JSON schema the reply must follow (a grammar built by the host, cached per schema). */
      jsonSchema?: Record<string, unknown>;
    }
  | { type: 'count'; id: number; texts: string[] }
  | { type: 'abort'; id: number }
  | { type: 'close' };

export interface ChatHostReady {
  type: 'ready';
  contextSize: number;
  trainContextSize: number;
  gpu: string | false;
  gpuLayers: number;
  /** The chat wrapper node-llama-cpp chose from the model's template (e.g. 'Llama3ChatWrapper'). */
  chatWrapper: string;
  loadMs: number;
}

export interface ChatGenerated {
  type: 'generated';
  id: number;
  text: string;
  tokensIn: number;
  tokensOut: number;
  /** From the start of the request in the host to the first text chunk. */
  firstTokenMs: number;
  /** From the start of the request in the host to the end of generation. */
  totalMs: number;
  stopReason: string;
}

export type ChatHostResponse =
  | ChatHostReady
  | { type: 'token'; id: number; text: string }
  | ChatGenerated
  | { type: 'counted'; id: number; counts: number[] }
  | { type: 'aborted'; id: number }
  | { type: 'error'; id: number | null; message: string };
