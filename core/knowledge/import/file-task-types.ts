import type { Chunk } from './types.ts';
import type { OcrSettings, OcrSummary } from './ocr/ocr-run.ts';

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
  /**
   * A file's members (a mailbox's attachments) are each read under a limit of their own, by their
   * size as a file's is (absoluteLimitMs), and within what is left of `timeoutMs`: one that runs
   * over fails alone, and the reading goes on.
   */
  memberLimits?: { timeoutMs: number; msPerMb: number };
  /** The collection's OCR switch and the time budget of one page (default: on, 60 s). */
  ocr?: OcrSettings;
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
  /** Pages read of `total`; `ocrPage` while that page is being recognised (OCR). */
  | { step: 'extract'; done: number; total: number; ocrPage?: number }
  | { step: 'part'; chunks: Chunk[]; embeddings: Float32Array[] | null }
  | { step: 'self'; messageId: string | null; repliesTo?: string | null }
  | { step: 'member'; member: MemberIdentity }
  | { step: 'member-done'; result: MemberResult };

/*
 * Files that hold documents (a mailbox its messages, a message its attachments: see
 * import/mail/mail-task.ts) report each such member before reading it ('member', answered with a
 * MemberAnswer), then its parts, then how it ended ('member-done'); parts reported outside a member
 * belong to the file's own document. A message file first asks whether the message it holds is
 * one the collection has from elsewhere ('self', answered with a SelfAnswer).
 */

/** A document inside the file being read. */
export interface MemberIdentity {
  /** Its source_path: the path of what it sits in, '#', and its place there. */
  path: string;
  /** The source_path of the document it sits in (the mailbox, or the message of an attachment). */
  parent: string;
  /** sha-256 of its bytes: an unchanged member is not read again. */
  hash: string;
  size: number;
  /** A message's Message-ID: one indexed from another file is a duplicate. */
  messageId: string | null;
  /** A message's: the Message-ID of the message it answers (In-Reply-To, else last of References). */
  repliesTo?: string | null;
}

export type MemberAnswer =
  /** quotedKnown: the message it answers is indexed (or being imported): its quotes may be folded. */
  | { read: true; quotedKnown?: boolean }
  | {
      read: false;
      outcome: 'unchanged' | 'duplicate' | 'failed';
      message?: string;
      /** A message read before the reader stopped on one of its attachments: read those only. */
      attachmentsOnly?: boolean;
    };

export interface SelfAnswer {
  /** Where the collection has this message already (a source_path), or null. */
  duplicateOf: string | null;
  /** The message it answers is indexed (or being imported): its quoted history may be folded. */
  quotedKnown?: boolean;
}

/** A document (a file, or a member of one) that could not be read, and why. */
export interface ReadFailure {
  ok: false;
  step: 'extract' | 'chunk' | 'embed';
  fileType: string | null;
  reason: string;
  message: string;
}

export type MemberResult =
  | {
      ok: true;
      title: string | null;
      author: string | null;
      fileType: string;
      mime: string;
      pageCount: number | null;
      warnings: string[];
      chunkCount: number;
      /** Kept in documents.metadata under their keys ('email', 'attachment'). */
      facts: Record<string, unknown>;
      /** An attachment's OCR pages, when some of its text was recognised by OCR. */
      ocr?: OcrSummary;
      timings: { extractMs: number; chunkMs: number; embedMs: number };
    }
  | ReadFailure;

export type FileTaskOutput =
  | {
      ok: true;
      title: string | null;
      /** From the document's properties (PPTX, OpenDocument, RTF); absent when it names none. */
      author?: string | null;
      /** Format-specific facts for documents.metadata (a message's headers under 'email'). */
      facts?: Record<string, unknown>;
      fileType: string;
      mime: string;
      pageCount: number | null;
      warnings: string[];
      /** Sections found to be navigation, left out unless the document is all navigation (then `kept`) (see navigation.ts); absent when none. */
      navigation?: { sections: number; chars: number; kept?: true };
      /** Chunks handed over in parts, all of them taken in before this result was sent. */
      chunkCount: number;
      /** Its pages read by OCR; absent when none was. */
      ocr?: OcrSummary;
      /**
       * The worker's own time: extracting, chunking and (built-in) embedding; the time it waited
       * for parts to be taken in is not in any of them.
       */
      timings: { extractMs: number; chunkMs: number; embedMs: number };
    }
  | ReadFailure;

/**
 * How much longer the pool lets a file's reading run, and stay silent, for one OCR page it
 * announces: the page's budget (Tesseract's start included) and a margin for drawing the page.
 */
export function ocrPageAllowanceMs(pageBudgetMs: number): number {
  return pageBudgetMs + 10_000;
}
