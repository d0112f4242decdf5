import type { ChunkInput } from '../../stores/vectors/store.ts';
import type { OcrRun, OcrSummary } from './ocr/ocr-run.ts';

/**
 * What every format extractor produces: the document's readable text as ordered sections, each
 * with the heading path above it and its page (PDF) so citations can point at the exact place.
 * The document's canonical text is `sections.map(s => s.text).join('\n\n')`; chunk offsets
 * (charStart/charEnd) index into it.
 */
export type FileType =
  | 'pdf'
  | 'docx'
  | 'html'
  | 'markdown'
  | 'text'
  | 'csv'
  | 'xlsx'
  | 'epub'
  | 'json'
  | 'code'
  | 'pptx'
  | 'odt'
  | 'ods'
  | 'odp'
  | 'rtf'
  | 'email'
  | 'mbox'
  | 'image';

export interface ExtractedSection {
  /** Headings from the outermost down to the one this section sits under; [] before any heading. */
  headingPath: string[];
  text: string;
  /** 1-based page number for paged formats, else null. */
  page: number | null;
  /** Link anchors in the section, where the format marks links (HTML, DOCX, EPUB); see navigation.ts. */
  links?: LinkStats;
}

/** Letters and digits in link anchors, over those of the whole text, and how many links. */
export interface LinkStats {
  linkChars: number;
  textChars: number;
  links: number;
}

export interface ExtractedDocument {
  title: string | null;
  /** Who wrote it, where the file says (document properties); absent or null when it does not. */
  author?: string | null;
  fileType: FileType;
  mime: string;
  sections: ExtractedSection[];
  pageCount: number | null;
  /** Non-fatal problems worth showing the user (e.g. "3 pages had no text layer"). */
  warnings: string[];
  /** Pages whose text was recognised from pictures (scans, photos); absent when none was. */
  ocr?: OcrSummary | undefined;
  /**
   * Pages OCR left unread because it could not run (off for the collection, or its language data
   * missing): kept on the document (metadata.ocrUnread), so an import with OCR on reads the file
   * again. Pages over their budget or failed are not: read again they would fail again.
   */
  ocrUnread?: number[] | undefined;
  /** Sections found to be navigation, left out unless the document is all navigation (then `kept`) (navigation.ts); absent when none. */
  navigation?: { sections: number; chars: number; kept?: true };
}

export interface ExtractInput {
  /** Absolute path (for messages and extension); the bytes are already read. */
  path: string;
  bytes: Buffer;
  signal: AbortSignal;
  /**
   * Paged formats (PDF) call this after each page: pages read so far, of `total` (and before a
   * page they may hand to OCR; the OCR run itself names a page it reads, see createOcrRun).
   */
  onPage?: ((done: number, total: number) => void) | undefined;
  /** Reads pictures of text (scanned pages, image files); absent when OCR is off for the collection. */
  ocr?: OcrRun | undefined;
  /**
   * When given, a paged format hands each section over here as it is read (awaiting it) instead of
   * keeping it in `sections`, so a long document is never held whole. Other formats ignore it.
   */
  onSection?: ((section: ExtractedSection) => Promise<void>) | undefined;
}

export type Extractor = (input: ExtractInput) => Promise<ExtractedDocument>;

/** A piece of a document sized for embedding and citation (what the vector store keeps, less the vector). */
export type Chunk = Omit<ChunkInput, 'embedding'>;

export interface ChunkOptions {
  /** Target tokens per chunk. */
  chunkSize: number;
  /** Tokens shared by neighbouring chunks. */
  chunkOverlap: number;
}
