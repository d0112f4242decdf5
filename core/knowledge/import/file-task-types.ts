import type { Chunk } from './types.ts';

export interface FileTaskInput {
  path: string;
  chunkSize: number;
  chunkOverlap: number;
  /** 'builtin' embeds in the worker; 'none' leaves it to the collection's model embedder. */
  embed: 'builtin' | 'none';
  maxBytes: number;
  /**
   * The absolute limit for reading the file. The pool stops a task sooner when it stalls: the
   * progress the worker reports (see FileTaskProgress) is what keeps a large file alive.
   */
  timeoutMs: number;
}

/**
 * What the worker reports while it works on a file: pages read (paged formats), or chunks
 * embedded (built-in embedder). Each report re-arms the task's stall time-out.
 */
export interface FileTaskProgress {
  step: 'extract' | 'embed';
  done: number;
  total: number;
}

export type FileTaskOutput =
  | {
      ok: true;
      title: string | null;
      fileType: string;
      mime: string;
      pageCount: number | null;
      warnings: string[];
      chunks: Chunk[];
      embeddings: Float32Array[] | null;
      timings: { extractMs: number; chunkMs: number; embedMs: number };
    }
  | {
      ok: false;
      step: 'extract' | 'chunk' | 'embed';
      fileType: string | null;
      reason: string;
      message: string;
    };
