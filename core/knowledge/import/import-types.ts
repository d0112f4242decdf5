import type { EventBus } from '../../engine/events.ts';
import type { ImportEvent, ImportSummary } from '../../contract/methods/imports.ts';
import type { Db } from '../../stores/pg/pg-store.ts';
import type { Embedder } from '../../models/embed/types.ts';
import type { VectorStore } from '../../stores/vectors/store.ts';
import type { WorkerPool } from '../../base/thread-pool/pool.ts';
import type { KnownDocument } from '../documents/documents.ts';
import type { FileTaskInput, FileTaskOutput, FileTaskProgress } from './file-task-types.ts';
import type { JobCounters } from './jobs.ts';
import type { FoundFile } from './walk.ts';

/**
 * The shapes shared by the import stages (import-start, import-plan, process-file, commit-batcher,
 * import-progress, remove-missing, import-finish); importer.ts re-exports the public ones.
 */

export interface ImportTarget {
  id: number;
  name: string;
  embedderId: string;
  chunkSize: number;
  chunkOverlap: number;
  /** The collection's OCR switch (collections.ocr); absent: on. */
  ocr?: boolean;
}

export interface ImportRequest {
  paths: string[];
  tags?: string[] | undefined;
  include?: string[] | undefined;
  exclude?: string[] | undefined;
  removeMissing?: boolean | undefined;
  /** Resume this interrupted job instead of creating a new one. */
  jobId?: number | undefined;
}

export interface ImportDeps {
  db: Db;
  vectors: VectorStore;
  /** Announces documents-changed when the import changed what searches can find. */
  events: EventBus;
  pool: WorkerPool<FileTaskInput, FileTaskOutput, FileTaskProgress>;
  /** The collection's model embedder; null for the built-in one (which runs in the workers). */
  embedder: Embedder | null;
}

export interface ImportLimits {
  maxBytes: number;
  /**
   * Stall limit: reading a file is stopped when it makes no progress (no page read, no part of its
   * chunks handed over) for this long. A large document that keeps moving is not stopped by it.
   */
  timeoutMs: number;
  /**
   * The absolute limit grows with the file: `timeoutMs` plus this much per MB of it (default
   * DEFAULT_MS_PER_MB). It stops a file that progresses, but too slowly to ever finish.
   */
  msPerMb?: number;
  /**
   * Time budget of one OCR page (default DEFAULT_OCR_PAGE_BUDGET_MS): a page over it is skipped
   * with a warning. An OCR page's time counts against neither limit above, only against this.
   */
  ocrPageBudgetMs?: number;
}

/** A minute per MB: a 3 MB, 5,000-page PDF reads in well under 30 s here, and gets over 5 min. */
export const DEFAULT_MS_PER_MB = 60_000;

export const DEFAULT_LIMITS: ImportLimits = {
  maxBytes: 200 * 1024 * 1024,
  timeoutMs: 120_000,
  msPerMb: DEFAULT_MS_PER_MB,
};

/** The absolute time limit for reading a file of `bytes` under `limits`. */
export function absoluteLimitMs(limits: Pick<ImportLimits, 'timeoutMs' | 'msPerMb'>, bytes: number): number {
  return Math.round(limits.timeoutMs + (bytes / (1024 * 1024)) * (limits.msPerMb ?? DEFAULT_MS_PER_MB));
}

export interface ImportOptions {
  signal?: AbortSignal;
  onEvent?: (e: ImportEvent) => void;
  limits?: ImportLimits;
}

export type Outcome = 'imported' | 'updated' | 'unchanged' | 'duplicate' | 'failed';
/**
 * What the import's progress records of a file: an outcome, or 'ignored' for a picture found in a
 * folder holding no readable text (a photo), counted with the ignored files under its reason.
 */
export type FileRecord = Outcome | 'ignored';

/** One import in flight: what every stage reads, and the job counters and summary they fill in. */
export interface ImportRun {
  deps: ImportDeps;
  target: ImportTarget;
  req: ImportRequest;
  signal: AbortSignal;
  emit: (e: ImportEvent) => void;
  limits: ImportLimits;
  /** performance.now() when the import began. */
  started: number;
  /** True when the built-in embedder runs in the workers (deps.embedder is null). */
  useBuiltin: boolean;
  jobId: number;
  counters: JobCounters;
  summary: ImportSummary;
}

/** A file that needs extracting, chunking and embedding. */
export interface WorkItem {
  file: FoundFile;
  hash: string;
  known: KnownDocument | undefined;
}

/** A file settled without work: unchanged, a duplicate, or unreadable. */
export interface ImmediateOutcome {
  file: FoundFile;
  outcome: FileRecord;
  reason?: string;
  message?: string;
}
