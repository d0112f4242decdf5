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

/** Chunks per part: what the worker hands over at a time (a few hundred KB of text and vectors). */
export const PART_CHUNKS = 256;

/**
 * What the worker reports while it works on a file: pages read (paged formats), and the document's
 * chunks a part at a time (with their vectors when the built-in embedder made them), in order.
 * The worker waits until a part is taken in (written to the staging area) before it hands over
 * the next but one, so neither thread ever holds more than a couple of parts. Each report re-arms
 * the task's stall time-out.
 */
export type FileTaskProgress =
  | { step: 'extract'; done: number; total: number }
  | { step: 'part'; chunks: Chunk[]; embeddings: Float32Array[] | null };

export type FileTaskOutput =
  | {
      ok: true;
      title: string | null;
      /** From the document's properties (PPTX, OpenDocument, RTF); absent when it names none. */
      author?: string | null;
      fileType: string;
      mime: string;
      pageCount: number | null;
      warnings: string[];
      /** Chunks handed over in parts, all of them taken in before this result was sent. */
      chunkCount: number;
      /**
       * The worker's own time: extracting, chunking and (built-in) embedding; the time it waited
       * for parts to be taken in is not in any of them.
       */
      timings: { extractMs: number; chunkMs: number; embedMs: number };
    }
  | {
      ok: false;
      step: 'extract' | 'chunk' | 'embed';
      fileType: string | null;
      reason: string;
      message: string;
    };
