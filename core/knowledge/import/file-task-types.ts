import type { Chunk } from './types.ts';

export interface FileTaskInput {
  path: string;
  chunkSize: number;
  chunkOverlap: number;
  /** 'builtin' embeds in the worker; 'none' leaves it to the collection's model embedder. */
  embed: 'builtin' | 'none';
  maxBytes: number;
  timeoutMs: number;
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
