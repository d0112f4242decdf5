/** Messages between the engine (core/models/embed/llama.ts) and the model process (core/models/embed/llama-host.ts). */

export interface HostInit {
  type: 'init';
  modelPath: string;
  /** Total threads for llama.cpp (split across the contexts). */
  threads: number;
  /** Embedding contexts evaluated in parallel. */
  contexts: number;
  /** Tokens per context; undefined = min(the model's training context, 2048). */
  contextSize: number | undefined;
  gpu: 'auto' | false;
  /** Texts whose token counts calibrate the parent's countTokens approximation. */
  calibration: string[];
}

export type HostRequest =
  | HostInit
  | { type: 'embed'; id: number; texts: string[] }
  | { type: 'count'; id: number; texts: string[] }
  | { type: 'abort'; id: number }
  | { type: 'close' };

export interface HostReady {
  type: 'ready';
  dim: number;
  trainContextSize: number;
  contextSize: number;
  /** Longest text in tokens that is embedded whole (room left for BOS/EOS). */
  maxTokens: number;
  contexts: number;
  threadsPerContext: number;
  gpu: string | false;
  loadMs: number;
  calibrationTokens: number[];
}

export type HostResponse =
  | HostReady
  | { type: 'embedded'; id: number; vectors: Float32Array[]; truncated: number }
  | { type: 'counted'; id: number; counts: number[] }
  | { type: 'aborted'; id: number }
  | { type: 'error'; id: number | null; message: string };
